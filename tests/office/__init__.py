"""Registration, the roster, the calendar and leave, and changes of power."""
