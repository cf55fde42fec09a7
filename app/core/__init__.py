"""Pure core: plain functions over plain data. Nothing here imports Flask or SQLAlchemy."""
