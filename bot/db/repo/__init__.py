"""Repository functions: every query the bot makes, keyword-only, one module per concern."""
