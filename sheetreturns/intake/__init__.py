"""Intake: return notices from the seller's mail folder recorded as rows of the Returns tab."""
