using System.Diagnostics;
using System.Text;

namespace Tessera.Graphs;

/// <summary>
/// The name of one task's result in a task graph: a name plus an optional block index,
/// printed the way Dask prints keys (<c>x</c> or <c>('x', 0, 2)</c>).
/// </summary>
/// <remarks>
/// Keys are small values with a precomputed hash: two keys are equal when their names are equal
/// (ordinal) and their indices are equal element by element. Up to two index components are stored
/// inline; longer indices use one array.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public readonly struct Key : IEquatable<Key>, IComparable<Key>
{
    private readonly string _name;
    private readonly int[]? _longIndex;
    private readonly int _i0;
    private readonly int _i1;
    private readonly int _rank;
    private readonly int _hash;

    /// <summary>Creates a key that is just a name, such as <c>"total"</c>.</summary>
    /// <param name="name">The key's name.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    public Key(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _name = name;
        _hash = name.GetHashCode(StringComparison.Ordinal);
    }

    /// <summary>Creates a key with a one-component block index, such as <c>('x', 3)</c>.</summary>
    /// <param name="name">The key's name.</param>
    /// <param name="index">The block index.</param>
    public Key(string name, int index)
        : this(name)
    {
        _i0 = index;
        _rank = 1;
        _hash = HashCode.Combine(_hash, index);
    }

    /// <summary>Creates a key with a two-component block index, such as <c>('x', 0, 2)</c>.</summary>
    /// <param name="name">The key's name.</param>
    /// <param name="i">The first index component.</param>
    /// <param name="j">The second index component.</param>
    public Key(string name, int i, int j)
        : this(name)
    {
        _i0 = i;
        _i1 = j;
        _rank = 2;
        _hash = HashCode.Combine(_hash, i, j);
    }

    /// <summary>Creates a key with a block index of any length.</summary>
    /// <param name="name">The key's name.</param>
    /// <param name="index">The block index; empty for a plain name.</param>
    public Key(string name, params ReadOnlySpan<int> index)
        : this(name)
    {
        _rank = index.Length;
        switch (index.Length)
        {
            case 0:
                return;
            case 1:
                _i0 = index[0];
                break;
            case 2:
                _i0 = index[0];
                _i1 = index[1];
                break;
            default:
                _longIndex = index.ToArray();
                break;
        }

        HashCode h = default;
        h.Add(_hash);
        foreach (int i in index)
        {
            h.Add(i);
        }

        _hash = h.ToHashCode();
    }

    /// <summary>Gets the key's name (for block keys, the name of the collection layer).</summary>
    public string Name => _name ?? string.Empty;

    /// <summary>Gets the number of block-index components (0 for a plain name).</summary>
    public int Rank => _rank;

    /// <summary>Gets a value indicating whether this is the default (empty) key.</summary>
    public bool IsDefault => _name is null;

    /// <summary>Gets the block-index component at <paramref name="axis"/>.</summary>
    /// <param name="axis">The component, from 0 to <see cref="Rank"/> - 1.</param>
    /// <returns>The index along that axis.</returns>
    public int this[int axis]
    {
        get
        {
            if ((uint)axis >= (uint)_rank)
            {
                throw new ArgumentOutOfRangeException(nameof(axis), axis, $"Key {this} has {_rank} index components.");
            }

            return _longIndex is not null ? _longIndex[axis] : axis == 0 ? _i0 : _i1;
        }
    }

    /// <summary>
    /// Gets the key's prefix as Dask's <c>key_split</c> computes it: the name without the
    /// hexadecimal token that tokenized names end with (<c>"sum-agg-9f3ac1…"</c> → <c>"sum-agg"</c>).
    /// Progress bars, profiles and fused names group tasks by it.
    /// </summary>
    public string Prefix => KeyNames.Split(Name);

    /// <summary>Copies the block index into a new array.</summary>
    /// <returns>The index components, empty for a plain name.</returns>
    public int[] GetIndex()
    {
        var result = new int[_rank];
        for (int i = 0; i < _rank; i++)
        {
            result[i] = this[i];
        }

        return result;
    }

    /// <summary>Returns a key with the same block index and another name.</summary>
    /// <param name="name">The new name.</param>
    /// <returns>The renamed key.</returns>
    public Key WithName(string name) => _rank switch
    {
        0 => new Key(name),
        1 => new Key(name, _i0),
        2 => new Key(name, _i0, _i1),
        _ => new Key(name, _longIndex),
    };

    /// <summary>Converts a string into a plain-name key.</summary>
    /// <param name="name">The key's name.</param>
    public static implicit operator Key(string name) => new(name);

    /// <inheritdoc/>
    public bool Equals(Key other)
    {
        if (_hash != other._hash || _rank != other._rank || !string.Equals(_name, other._name, StringComparison.Ordinal))
        {
            return false;
        }

        if (_longIndex is null)
        {
            return _i0 == other._i0 && _i1 == other._i1;
        }

        return _longIndex.AsSpan().SequenceEqual(other._longIndex);
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Key other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _hash;

    /// <summary>Orders keys by name (ordinal), then by block index, shorter indices first.</summary>
    /// <param name="other">The key to compare with.</param>
    /// <returns>A negative number, zero or a positive number.</returns>
    public int CompareTo(Key other)
    {
        int c = string.CompareOrdinal(_name, other._name);
        if (c != 0)
        {
            return c;
        }

        int n = Math.Min(_rank, other._rank);
        for (int i = 0; i < n; i++)
        {
            c = this[i].CompareTo(other[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return _rank.CompareTo(other._rank);
    }

    /// <summary>Prints the key as Dask does: <c>x</c> for a plain name, <c>('x', 0, 2)</c> with an index.</summary>
    /// <returns>The printed key.</returns>
    public override string ToString()
    {
        if (_rank == 0)
        {
            return Name;
        }

        var sb = new StringBuilder(Name.Length + 4 + (_rank * 4));
        sb.Append("('").Append(Name).Append('\'');
        for (int i = 0; i < _rank; i++)
        {
            sb.Append(", ").Append(this[i]);
        }

        return sb.Append(')').ToString();
    }

    /// <summary>Compares two keys for equality.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    public static bool operator ==(Key left, Key right) => left.Equals(right);

    /// <summary>Compares two keys for inequality.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    public static bool operator !=(Key left, Key right) => !left.Equals(right);

    /// <summary>Orders two keys.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    public static bool operator <(Key left, Key right) => left.CompareTo(right) < 0;

    /// <summary>Orders two keys.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    public static bool operator <=(Key left, Key right) => left.CompareTo(right) <= 0;

    /// <summary>Orders two keys.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    public static bool operator >(Key left, Key right) => left.CompareTo(right) > 0;

    /// <summary>Orders two keys.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    public static bool operator >=(Key left, Key right) => left.CompareTo(right) >= 0;
}
