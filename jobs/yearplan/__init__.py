"""The fiscal year's reporting calendar: the pure computation and diff (``plan``), what it is
computed from (``load``), its outbox messages (``notices``), and the tick's step that sends it
at the start of the year and tells people whose dates a change of calendar moved (``step``);
the config's ``[yearplan]`` (``settings``)."""
