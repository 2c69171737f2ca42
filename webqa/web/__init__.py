"""Reading the web: safe HTTP fetching and HTML reduced to text."""
