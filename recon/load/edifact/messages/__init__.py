"""EDIFACT message mappers: message type -> the function that maps it onto canonical rows."""
