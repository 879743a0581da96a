"""The login throttle (data_access.auth.LoginThrottle): atomic under parallel logins, per client
address and per user name, and unable to lock the real data manager out. Times come from an
injected clock: no test waits."""

from __future__ import annotations

import threading

from data_access import auth

PASSWORD = "une phrase de passe assez longue"
ACCOUNT = auth.LocalAccount("gestion", auth.hash_password(PASSWORD))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _login(throttle: auth.LoginThrottle, user: str, password: str, address: str, checked: list[str]) -> None:
    """What the login form does: ask the throttle, check the password only when allowed."""
    if throttle.attempt(user, address) > 0:
        return
    checked.append(address)
    if auth.verify_password(ACCOUNT, user, password):
        throttle.success(user, address)


def _in_parallel(count: int, target, *args) -> None:
    start = threading.Barrier(count)

    def run() -> None:
        start.wait()
        target(*args)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


def test_parallel_wrong_logins_check_no_more_passwords_than_allowed():
    """10 wrong logins at once from one address: 4 passwords checked (3 free, the 4th starts the
    wait), not 10 (the check and the count were two steps)."""
    throttle = auth.LoginThrottle(clock=Clock())
    checked: list[str] = []
    _in_parallel(10, _login, throttle, "gestion", "mauvais", "192.0.2.1", checked)
    assert len(checked) == throttle.per_address.free + 1 == 4
    assert throttle.wait("gestion", "192.0.2.1") == 5


def test_parallel_wrong_logins_from_many_addresses_are_bounded_per_user():
    throttle = auth.LoginThrottle(clock=Clock())
    checked: list[str] = []
    addresses = [f"198.51.100.{n}" for n in range(30)]
    start = threading.Barrier(len(addresses))

    def run(address: str) -> None:
        start.wait()
        _login(throttle, "gestion", "mauvais", address, checked)

    threads = [threading.Thread(target=run, args=(address,)) for address in addresses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(checked) == throttle.per_user.free + 1 == 11


def test_waits_grow_per_address_up_to_the_ceiling():
    clock = Clock()
    throttle = auth.LoginThrottle(clock=clock)
    waits = [0.0]
    for n in range(12):
        clock.now += waits[-1]
        assert throttle.attempt(f"nom-{n}", "192.0.2.1") == 0  # another name each time: the address counts
        waits.append(throttle.wait("encore-un-autre", "192.0.2.1"))
    assert waits[1:] == [0, 0, 0, 5, 10, 20, 40, 80, 160, 320, 640, 900]
    assert throttle.attempt("gestion", "192.0.2.1") == 900  # refused: nothing counted, the wait unchanged
    assert throttle.wait("gestion", "192.0.2.1") == 900
    assert throttle.wait("gestion", "192.0.2.2") == 0  # another address is not held back


def test_nobody_can_lock_the_real_data_manager_out():
    """An attacker trying 1 000 times the data manager's name holds back their own addresses;
    the data manager, from another address, waits a minute at most, and not at all from an address
    they already signed in from."""
    clock = Clock()
    throttle = auth.LoginThrottle(clock=clock)
    assert throttle.attempt("gestion", "203.0.113.5") == 0
    throttle.success("gestion", "203.0.113.5")  # the office, yesterday
    allowed = 0
    for n in range(1000):  # one try a second from four addresses
        allowed += throttle.attempt("GESTION", f"192.0.2.{n % 4}") == 0
        clock.now += 1
    assert allowed < 50  # the attacker's own addresses are held back
    assert throttle.wait("gestion", "203.0.113.5") == 0  # the office
    assert 0 < throttle.wait("gestion", "203.0.113.99") <= throttle.per_user.ceiling == 60  # elsewhere
    checked: list[str] = []
    _login(throttle, "gestion", PASSWORD, "203.0.113.5", checked)
    assert checked == ["203.0.113.5"]


def test_a_success_clears_the_counts():
    clock = Clock()
    throttle = auth.LoginThrottle(clock=clock)
    for _ in range(4):
        throttle.attempt("gestion", "192.0.2.1")
    clock.now += 5
    assert throttle.attempt("gestion", "192.0.2.1") == 0
    throttle.success("gestion", "192.0.2.1")
    assert [throttle.attempt("gestion", "192.0.2.1") for _ in range(3)] == [0, 0, 0]


def test_idle_counts_are_forgotten_when_the_table_grows():
    clock = Clock()
    throttle = auth.LoginThrottle(clock=clock, max_entries=100)
    for n in range(60):  # 120 counts: one per name, one per address
        assert throttle.attempt(f"nom-{n}", f"198.51.100.{n}") == 0
    clock.now += throttle.forget_after + 1
    throttle.attempt("gestion", "192.0.2.2")
    assert len(throttle._attempts) <= 3
