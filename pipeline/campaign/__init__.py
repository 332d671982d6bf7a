"""The closed loop: what to make and measure next, lab measurements in (issue 17)."""
