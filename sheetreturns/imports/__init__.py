"""Marketplace report files (returns, refunds, reimbursements) imported into the Returns tab."""
