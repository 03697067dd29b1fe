"""The three stacks of the contract enrollment workflow."""
