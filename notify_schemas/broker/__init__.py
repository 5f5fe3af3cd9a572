"""The broker room: notifications through oslo.messaging to a real message queue, and back.

``messaging`` holds the ``messaging`` and ``messagingv2`` drivers, ``listener`` validates what flows on a broker,
``oslo_driver`` is the drop-in driver an unmodified oslo.messaging producer (Glance) loads by name, and ``wire``
checks and unwraps oslo's wire bodies. Everything here needs the ``oslo`` extra, except ``wire``.
"""
