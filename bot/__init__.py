"""Secure Base: a self-hostable Telegram companion for people who love an avoidant partner."""

__version__ = "0.1.0"
