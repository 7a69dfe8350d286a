"""Network checks (`net.*`): one module per subject."""
