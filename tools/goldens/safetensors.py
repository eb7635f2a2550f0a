#!/usr/bin/env python3
"""Safetensors fixtures written by PyTorch/numpy, for adjoint's io tests.

Debian has no `safetensors` package, so this writes the published format by hand
from numpy arrays (tensors from PyTorch 1.13 are converted with `.numpy()`),
following the spec and the reference writer's conventions:

- 8 bytes: N, a little-endian u64; N bytes: the UTF-8 JSON header, compact,
  `__metadata__` first, padded with spaces so that 8 + N is a multiple of 8;
- `{name: {"dtype", "shape", "data_offsets": [begin, end]}}`, offsets relative
  to the first byte after the header; the data row-major, little-endian, the
  tensors laid out contiguously, sorted like the reference writer does
  (larger dtypes first, then by name).

Writes into test/fixtures/safetensors/: a few .safetensors files and
expected.json (per file: metadata, and per tensor in header order the name,
the dtype adjoint loads it as, the shape and the flat values; non-finite
floats and -0.0 as the strings 'Infinity', '-Infinity', 'NaN', '-0').

    /usr/bin/python3 tools/goldens/safetensors.py          # write the fixtures
    /usr/bin/python3 tools/goldens/safetensors.py --check FILE
        # read FILE (written by adjoint) with numpy and print its tensors as JSON
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'safetensors')

DTYPES = {  # numpy dtype -> (safetensors name, adjoint dtype it loads as)
    np.dtype('<f4'): ('F32', 'float32'),
    np.dtype('<f8'): ('F64', 'float64'),
    np.dtype('<i4'): ('I32', 'int32'),
    np.dtype('<i8'): ('I64', 'int32'),
    np.dtype('bool'): ('BOOL', 'bool'),
    np.dtype('<f2'): ('F16', None),
}
NUMPY = {name: dt for dt, (name, _) in DTYPES.items()}


def encode(tensors, metadata=None, order=None, header_order=None):
    """The bytes of a safetensors file; `order` is the data layout, `header_order` the key order."""
    arrays = {k: np.array(v, order='C') for k, v in tensors.items()}  # (ascontiguousarray makes 0-d 1-d)
    if order is None:
        order = sorted(arrays, key=lambda k: (-arrays[k].dtype.itemsize, k))
    entries, chunks, offset = {}, [], 0
    for name in order:
        a = arrays[name]
        raw = a.astype(a.dtype.newbyteorder('<')).tobytes(order='C')
        entries[name] = {'dtype': DTYPES[a.dtype][0], 'shape': list(a.shape),
                         'data_offsets': [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    header = {}
    if metadata is not None:
        header['__metadata__'] = metadata
    for name in header_order or order:
        header[name] = entries[name]
    text = json.dumps(header, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    return struct.pack('<Q', len(text)) + text + b''.join(chunks)


def decode(data):
    """An independent reader: {name: numpy array}, metadata."""
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n].decode('utf-8'))
    metadata = header.pop('__metadata__', {})
    start = 8 + n
    out = {}
    for name, info in header.items():
        b, e = info['data_offsets']
        dt = NUMPY[info['dtype']]
        out[name] = np.frombuffer(data[start + b:start + e], dtype=dt).reshape(info['shape'])
    return out, metadata


def jsonable(v):
    """A value for expected.json: non-finite floats and -0.0 as strings ('Infinity', '-Infinity', 'NaN', '-0')."""
    if isinstance(v, float):
        if math.isnan(v):
            return 'NaN'
        if math.isinf(v):
            return 'Infinity' if v > 0 else '-Infinity'
        if v == 0 and math.copysign(1, v) < 0:
            return '-0'
    return v


def expected(tensors, metadata, header_order):
    rows = []
    for name in header_order:
        a = np.asarray(tensors[name])
        rows.append({'name': name, 'dtype': DTYPES[a.dtype][1], 'shape': list(a.shape),
                     'values': [jsonable(v.item()) for v in a.reshape(-1)]})
    return {'metadata': metadata or {}, 'tensors': rows}


def write(files, name, tensors, metadata=None, **kw):
    data = encode(tensors, metadata, **kw)
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
    order = kw.get('header_order') or kw.get('order') or sorted(
        tensors, key=lambda k: (-np.asarray(tensors[k]).dtype.itemsize, k))
    check, _ = decode(data)
    for k in tensors:
        assert np.array_equal(check[k], tensors[k]), (name, k, check[k], tensors[k])
    files[name] = expected(tensors, metadata, order)


def main():
    os.makedirs(OUT, exist_ok=True)
    files = {}

    # A tiny PyTorch state dict: Sequential(Linear(2, 4), Tanh(), Linear(4, 3)).
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 3))
    sd = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    write(files, 'state_dict.safetensors', sd, {'format': 'pt'})

    # Every dtype adjoint reads, with 0-d, empty and odd names, and unicode metadata.
    rng = np.random.default_rng(0)
    tensors = {
        'f64': rng.standard_normal((2, 3)),
        'f32.scalar': np.array(3.25, dtype=np.float32),
        'f32.empty': np.zeros((0, 3), dtype=np.float32),
        'i32': np.array([-2147483648, -1, 0, 1, 2147483647], dtype=np.int32),
        'i64': np.array([[-2147483648, -7], [0, 2147483647]], dtype=np.int64),
        'bool': np.array([True, False, True]),
        '0': np.arange(4, dtype=np.float32).reshape(2, 2) / 8,
        'ünïcødé ✓': np.array([1.5, -2.5], dtype=np.float32),
        'special': np.array([np.inf, -np.inf, -0.0, 1e-45], dtype=np.float32),
    }
    write(files, 'dtypes.safetensors', tensors, {'producer': 'numpy', 'note': 'héllo ✓'})

    # The header lists the tensors in the reverse of their order in the data.
    pair = {'a': np.array([1, 2, 3], dtype=np.int32), 'b': np.array([[0.5, 1.5]], dtype=np.float64)}
    write(files, 'unordered.safetensors', pair, None, order=['a', 'b'], header_order=['b', 'a'])

    # Files adjoint refuses: an I64 outside the int32 range, and F16.
    with open(os.path.join(OUT, 'i64_overflow.safetensors'), 'wb') as f:
        f.write(encode({'big': np.array([1, 2 ** 40], dtype=np.int64)}))
    with open(os.path.join(OUT, 'f16.safetensors'), 'wb') as f:
        f.write(encode({'half': np.array([1, 2], dtype=np.float16)}))

    with open(os.path.join(OUT, 'expected.json'), 'w', encoding='utf-8') as f:
        json.dump(files, f, indent=1, ensure_ascii=False, allow_nan=False)
        f.write('\n')
    print(f'wrote {len(files) + 2} files and expected.json to {os.path.normpath(OUT)}')


def check(path):
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    assert (8 + n) % 8 == 0, 'header not padded to 8 bytes'
    tensors, metadata = decode(data)
    print(json.dumps({'metadata': metadata, 'tensors': {
        k: {'dtype': str(v.dtype), 'shape': list(v.shape), 'values': [x.item() for x in v.reshape(-1)]}
        for k, v in tensors.items()}}, ensure_ascii=False))
    # And through PyTorch.
    for k, v in tensors.items():
        torch.from_numpy(v.copy())


if __name__ == '__main__':
    if len(sys.argv) == 3 and sys.argv[1] == '--check':
        check(sys.argv[2])
    else:
        main()
