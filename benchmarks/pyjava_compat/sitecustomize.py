"""Put on PYTHONPATH of the pyjava actors in bench_ray.py only: pyjava 0.6.21's Arrow writer fails on
pandas 3 `str` columns, so those processes get pandas' object strings back at start-up."""
import warnings

import pandas as pd

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    pd.options.future.infer_string = False
