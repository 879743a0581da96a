"""Alembic environment: the URL comes from the caller's Config (see data_access.db)."""

from alembic import context
from sqlalchemy import create_engine

from data_access.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")
connectable = config.attributes.get("connection")


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if connectable is not None:
    _run(connectable)
else:
    engine = create_engine(str(url))
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()
