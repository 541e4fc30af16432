"""The fiscal year's reporting calendar: the pure computation (``plan``), what it is computed
from (``load``), and the tick's step that sends it at the start of the year and tells people
whose dates a change of calendar moved (``step``)."""
