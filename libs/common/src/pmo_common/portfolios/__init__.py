"""Portfolio membership as the services other than intake keep it (docs/adr/0026).

Intake owns who belongs to which portfolio and announces it (`intake.portfolio.member_added`,
`…member_removed`); standards, monitoring and notifications keep the same projection of it, so
a portfolio manager's rights there cover only the portfolios they are a member of:

- `scope.py`: what one caller may do per portfolio (`PortfolioScope`) and the principal that
  carries it (`ScopedPrincipal`), pure rules;
- `members.py`: the projection table, applying the events in order of `changed_at`, and the
  lookup of a caller's scope;
- `dependency.py`: the FastAPI dependency giving a route its `ScopedPrincipal`;
- `migration.py`: the operations each service's Alembic revision runs to create the table.
"""
