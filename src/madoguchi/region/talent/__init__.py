"""The talent pool: specialists, municipalities' needs, matching explained feature by feature
(matching.py), assignments and visits."""
