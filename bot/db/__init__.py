"""Storage: SQLModel tables, the async engine and the repository functions around them."""
