"""callroute: an embeddable, sans-IO call-routing and IVR engine.

- :class:`Engine` with typed :mod:`callroute.inputs` and :mod:`callroute.outputs`: the
  host feeds inputs with its time in milliseconds, drains the outputs after each, and
  calls ``handle_timeout`` at ``next_deadline``; an input that raises changed nothing;
- :class:`Config` loads a contact center and renders and tests its IVR flows;
- :class:`TicketDesk` runs ticket workflows;
- :func:`simulate` runs the simulator; :mod:`callroute.staffing` has the Erlang math;
- :mod:`callroute.errors` has one exception class per stable error code.
"""

from . import errors, inputs, outputs, staffing
from ._callroute import Config, Engine, TicketDesk
from .errors import CallrouteError, ConfigError
from .inputs import Input
from .outputs import Action, Event, Output
from .simulation import Simulation, simulate

__all__ = [
    "Action",
    "CallrouteError",
    "Config",
    "ConfigError",
    "Engine",
    "Event",
    "Input",
    "Output",
    "Simulation",
    "TicketDesk",
    "errors",
    "inputs",
    "outputs",
    "simulate",
    "staffing",
]
