"""What reviews announce to the apps above them, which react; reviews never imports them.

``assignment_accepted`` is sent inside the transaction that accepts an invitation, with
``assignment=``: consultations opens the expert's empty draft opinion in the same transaction.
"""

from django.dispatch import Signal

assignment_accepted = Signal()
