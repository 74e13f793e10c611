"""Thin click commands: parse the arguments, call one library function, render its result."""
