"""Spark 3.3's `aes_encrypt`/`aes_decrypt` on DuckDB, as Arrow-vectorised Python UDFs over the
`cryptography` package: GCM (the default: a random 12-byte IV before the ciphertext and its 16-byte
tag) and ECB with PKCS#7 padding, keys of 16, 24 or 32 bytes (see registry.py)."""
from __future__ import annotations

import os

import pyarrow as pa
from sqlglot import exp

from .registry import duck, spark_function, udf

_GCM_IV_BYTES = 12
_DEFAULT_PADDING = {"GCM": "NONE", "ECB": "PKCS"}


def _cipher_mode(mode: str, padding: str) -> str:
    """Spark's supported (mode, padding) pairs; 'DEFAULT' padding is the mode's own."""
    mode, padding = mode.upper(), padding.upper()
    if padding == "DEFAULT":
        padding = _DEFAULT_PADDING.get(mode, padding)
    if _DEFAULT_PADDING.get(mode) != padding:
        raise ValueError(f"The AES mode {mode} with the padding {padding} is not supported "
                         "(Spark 3.3 supports GCM with NONE and ECB with PKCS)")
    return mode


def _check_key(key: bytes) -> None:
    if len(key) not in (16, 24, 32):
        raise ValueError(f"The key length of aes_encrypt/aes_decrypt should be one of 16, 24 or "
                         f"32 bytes, but got: {len(key)}")


def _encrypt(data: bytes, key: bytes, mode: str) -> bytes:
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if mode == "GCM":
        iv = os.urandom(_GCM_IV_BYTES)
        return iv + AESGCM(key).encrypt(iv, data, None)
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return encryptor.update(padder.update(data) + padder.finalize()) + encryptor.finalize()


def _decrypt(data: bytes, key: bytes, mode: str) -> bytes:
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        if mode == "GCM":
            return AESGCM(key).decrypt(data[:_GCM_IV_BYTES], data[_GCM_IV_BYTES:], None)
        decryptor = Cipher(algorithms.AES(key), modes.ECB()).decryptor()
        unpadder = padding.PKCS7(128).unpadder()
        plain = decryptor.update(data) + decryptor.finalize()
        return unpadder.update(plain) + unpadder.finalize()
    except Exception as error:  # a wrong key or damaged input: Spark fails the query too
        raise ValueError(f"aes_decrypt: the input cannot be decrypted with this key and mode "
                         f"({mode}): {type(error).__name__}") from None


def _vectorised(transform):
    def run(data: pa.Array, key: pa.Array, mode: pa.Array, pad: pa.Array) -> pa.Array:
        out = []
        for row in zip(data.to_pylist(), key.to_pylist(), mode.to_pylist(), pad.to_pylist()):
            if any(value is None for value in row):
                out.append(None)
                continue
            value, secret, mode_name, pad_name = row
            _check_key(secret)
            out.append(transform(value, secret, _cipher_mode(mode_name, pad_name)))
        return pa.array(out, pa.binary())

    return run


for _name, _transform in (("spark_aes_encrypt", _encrypt), ("spark_aes_decrypt", _decrypt)):
    udf(_name, _vectorised(_transform), ["BLOB", "BLOB", "VARCHAR", "VARCHAR"], "BLOB",
        type="arrow", null_handling="special", side_effects=_name == "spark_aes_encrypt")


def _aes(udf_name: str, data, key, mode=None, pad=None) -> exp.Expression:
    mode = mode if mode is not None else exp.Literal.string("GCM")
    pad = pad if pad is not None else exp.Literal.string("DEFAULT")
    return duck(f"{udf_name}(_0, _1, _2, _3)", data, key, mode, pad)


@spark_function("aes_encrypt", inputs=["binary", "binary", "string", "string"], result="binary")
def aes_encrypt(data, key, mode=None, pad=None):
    return _aes("spark_aes_encrypt", data, key, mode, pad)


@spark_function("aes_decrypt", inputs=["binary", "binary", "string", "string"], result="binary")
def aes_decrypt(data, key, mode=None, pad=None):
    return _aes("spark_aes_decrypt", data, key, mode, pad)
