"""statsig-chatops: operate Statsig feature gates from Slack, with approvals in Redis."""

__all__ = ["__version__"]

__version__ = "0.1.0"
