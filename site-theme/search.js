// pm site search client (see docs/search.md).
