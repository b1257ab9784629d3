"""The course's benchmarks: `make bench` (or `python benchmarks/run.py`); see run.py.

Each module measures one thing and returns a plain dict for `_build/bench.json`:

- bench_widgets: every live explorer of every chapter in _toc.yml, driven headless;
- bench_adam:    one `optimlib.adam` step on 10⁷ float32 parameters against seed 004's
                 textbook formula, in time and in memory;
- bench_sweep:   a 100 × 100 (lr, β) momentum grid as one vectorized `optimlib.run` call
                 against a Python loop over the grid;
- bench_make:    cold and cached `make html`, and `make test`, in a scratch copy of the repo.

report.py turns the results into the printed table, the targets and the Markdown table of
the book's Performance page.
"""
