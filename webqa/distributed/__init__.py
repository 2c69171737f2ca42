"""webqa's two big jobs on a Ray cluster, with the local runs' formats and guarantees: the index build
(ray_index: chunking and embedding as a Ray Data pipeline) and batch answers (ray_batch: a pool of actors).
Ray is the optional extra `webqa[ray]`; nothing here imports it until a run asks for it."""
