"""The project register on the tick's side: reading the office's action-plan sheet
(``sheet``) and the config's ``[projects]`` (``settings``)."""
