"""The lead view: header plus call brief, timeline, qualification, collateral and feedback tabs."""
