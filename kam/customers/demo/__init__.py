"""Seeded generators of realistic Chinese CRM data: the demo organisation and the large benchmark set.

`build_demo()` makes 演示科技有限公司 through the real actions, then a month of the reps' day (seconds);
`build_large()` bulk-loads the DESIGN.md §5 "large" dataset with a year of activities (minutes). The same
seed always gives the same data.
"""

# Bump when the generated data changes: `python -m kam.bench` keys its cached datasets on it.
GENERATOR_VERSION = 5
