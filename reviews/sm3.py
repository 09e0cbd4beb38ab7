"""SM3 (GB/T 32905-2016), the Chinese national hash function (国密), for the archive's manifest.

``new()`` is OpenSSL's SM3 through ``hashlib`` where the platform's OpenSSL has it (3.0 does), and
otherwise the small pure-Python implementation below, so that an archive can be checked on any
machine with Python. Both give the standard's test vectors ("abc" → 66c7f0f4…). No Django: the
offline verifier imports this with no settings.
"""

import hashlib
import struct

_MASK = 0xFFFFFFFF
_IV = (0x7380166F, 0x4914B2B9, 0x172442D7, 0xDA8A0600, 0xA96F30BC, 0x163138AA, 0xE38DEE4D, 0xB0FB0E4E)


def _rotl(x, n):
    n %= 32
    return ((x << n) | (x >> (32 - n))) & _MASK


def _p0(x):
    return x ^ _rotl(x, 9) ^ _rotl(x, 17)


def _p1(x):
    return x ^ _rotl(x, 15) ^ _rotl(x, 23)


_T = tuple(_rotl(0x79CC4519 if j < 16 else 0x7A879D8A, j) for j in range(64))


def _expand(block):
    w = list(struct.unpack(">16I", block))
    for j in range(16, 68):
        w.append(_p1(w[j - 16] ^ w[j - 9] ^ _rotl(w[j - 3], 15)) ^ _rotl(w[j - 13], 7) ^ w[j - 6])
    return w, [w[j] ^ w[j + 4] for j in range(64)]


def _compress(v, block):
    """One 64-byte block into the state ``v`` (the standard's CF function, section 5.3.3)."""
    w, w1 = _expand(block)
    a, b, c, d, e, f, g, h = v
    for j in range(64):
        a12 = _rotl(a, 12)
        ss1 = _rotl((a12 + e + _T[j]) & _MASK, 7)
        ss2 = ss1 ^ a12
        if j < 16:
            ff, gg = a ^ b ^ c, e ^ f ^ g
        else:
            ff, gg = (a & b) | (a & c) | (b & c), (e & f) | (~e & g)
        tt1 = (ff + d + ss2 + w1[j]) & _MASK
        tt2 = (gg + h + ss1 + w[j]) & _MASK
        a, b, c, d = tt1, a, _rotl(b, 9), c
        e, f, g, h = _p0(tt2), e, _rotl(f, 19), g
    return tuple(x ^ y for x, y in zip(v, (a, b, c, d, e, f, g, h), strict=True))


class PureSM3:
    """SM3 in Python, with hashlib's ``update``/``digest``/``hexdigest``."""

    name = "sm3"
    digest_size = 32
    block_size = 64

    def __init__(self, data=b""):
        self._state = _IV
        self._buffer = b""
        self._length = 0
        self.update(data)

    def update(self, data):
        data = bytes(data)
        self._length += len(data)
        buffer = self._buffer + data
        whole = len(buffer) - len(buffer) % 64
        for start in range(0, whole, 64):
            self._state = _compress(self._state, buffer[start : start + 64])
        self._buffer = buffer[whole:]

    def digest(self):
        bits = self._length * 8
        tail = self._buffer + b"\x80" + b"\x00" * ((55 - len(self._buffer)) % 64) + struct.pack(">Q", bits)
        state = self._state
        for start in range(0, len(tail), 64):
            state = _compress(state, tail[start : start + 64])
        return struct.pack(">8I", *state)

    def hexdigest(self):
        return self.digest().hex()


def openssl_has_sm3():
    try:
        hashlib.new("sm3")
    except ValueError:
        return False
    return True


_NATIVE = openssl_has_sm3()


def new(data=b""):
    """A fresh SM3 hash object: OpenSSL's where it has SM3, else ``PureSM3``."""
    return hashlib.new("sm3", data) if _NATIVE else PureSM3(data)


def hexdigest(data):
    return new(data).hexdigest()
