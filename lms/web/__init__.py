"""The web layer's speed-ups, each behind one seam with its measured reason in its docstring.

- `sessions`: Flask's signed-cookie sessions, each cookie's signature checked once per
  worker;
- `pagecache`: the signed-in person's pages cached per process under their
  `training_rev`;
- `csrf`: CSRF tokens in cached pages (a placeholder, the request's token put in when
  served; tokens signed once per session secret);
- `cache`: the bounded LRU both caches use.

Plumbing: nothing here imports a feature package. A feature that a cached page
varies on tells the page cache so (`pagecache.vary_on`).
"""
