"""The portal has no tables: it reads what the domain apps mark public (see views.py)."""
