"""The database layer: real PostgreSQL servers and databases, through psycopg (never Textual).

server (which server) → throwaway (scratch databases) → sqlx (apply a chain as sqlx
does) → schema / rows / extensions (look at the result).  Every failure is a
``errors.DatabaseError`` whose ``str()`` is one sentence for the user.
"""
