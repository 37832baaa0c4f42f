"""The chrome classifier: decides, for every line no rule removed, whether it is the article or
the site around it, from what the plain text shows (see page.py for the order of the steps)."""
