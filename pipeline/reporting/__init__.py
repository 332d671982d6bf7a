"""What a run leaves behind: MLflow tracking, the report, plots and run-to-run comparison."""
