using System.Collections.Immutable;

namespace Tessera.Arrays;

/// <summary>
/// One item of a NumPy-style index: an integer, a slice with a step, a new axis, an ellipsis, an
/// integer array (<see cref="Take"/>) or a boolean mask. Integers and C# ranges convert implicitly:
/// <c>x[0, 2..^1]</c>, <c>x[Ix.S(null, null, -1)]</c>, <c>x[Ix.NewAxis, Ix.Ellipsis]</c>.
/// </summary>
[TesseraData]
public readonly struct Ix : IEquatable<Ix>
{
    private Ix(IxKind kind, int? start, int? stop, int step, ImmutableArray<long> indices, ImmutableArray<bool> mask)
    {
        Kind = kind;
        Start = start;
        Stop = stop;
        Step = step;
        Indices = indices;
        Mask = mask;
    }

    /// <summary>Gets what kind of index item this is.</summary>
    public IxKind Kind { get; }

    /// <summary>Gets the integer (for <see cref="IxKind.Index"/>) or the slice start (null: from the beginning, or the end for negative steps).</summary>
    public int? Start { get; }

    /// <summary>Gets the slice stop (exclusive; null: to the end).</summary>
    public int? Stop { get; }

    /// <summary>Gets the slice step (not zero).</summary>
    public int Step { get; }

    /// <summary>Gets the indices of an integer-array index.</summary>
    public ImmutableArray<long> Indices { get; }

    /// <summary>Gets the mask of a boolean index.</summary>
    public ImmutableArray<bool> Mask { get; }

    /// <summary>Gets the whole axis (<c>:</c>).</summary>
    public static Ix All { get; } = new(IxKind.Slice, null, null, 1, default, default);

    /// <summary>Gets an index item that inserts an axis of length 1 (NumPy's <c>None</c>/<c>newaxis</c>).</summary>
    public static Ix NewAxis { get; } = new(IxKind.NewAxis, null, null, 1, default, default);

    /// <summary>Gets the ellipsis (<c>...</c>): as many whole axes as needed.</summary>
    public static Ix Ellipsis { get; } = new(IxKind.Ellipsis, null, null, 1, default, default);

    /// <summary>Creates a slice <c>start:stop:step</c>; negative start and stop count from the end.</summary>
    /// <param name="start">The start, or null.</param>
    /// <param name="stop">The stop (exclusive), or null.</param>
    /// <param name="step">The step; negative walks backwards.</param>
    /// <returns>The index item.</returns>
    /// <exception cref="ArgumentException"><paramref name="step"/> is zero.</exception>
    public static Ix S(int? start, int? stop, int step = 1)
    {
        if (step == 0)
        {
            throw new ArgumentException("slice step cannot be zero.", nameof(step));
        }

        return new Ix(IxKind.Slice, start, stop, step, default, default);
    }

    /// <summary>Creates an integer index (negative counts from the end).</summary>
    /// <param name="index">The index.</param>
    /// <returns>The index item.</returns>
    public static Ix At(int index) => new(IxKind.Index, index, null, 1, default, default);

    /// <summary>Creates an integer-array index (NumPy's fancy indexing along one axis).</summary>
    /// <param name="indices">The indices; negative ones count from the end.</param>
    /// <returns>The index item.</returns>
    public static Ix Take(params IEnumerable<long> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        return new Ix(IxKind.Array, null, null, 1, [.. indices], default);
    }

    /// <summary>Creates a boolean mask index along one axis.</summary>
    /// <param name="mask">The mask; its length must equal the axis length.</param>
    /// <returns>The index item.</returns>
    public static Ix Where(params IEnumerable<bool> mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        return new Ix(IxKind.Mask, null, null, 1, default, [.. mask]);
    }

    /// <summary>Converts an integer into an integer index.</summary>
    /// <param name="index">The index.</param>
    public static implicit operator Ix(int index) => At(index);

    /// <summary>Converts a C# range into a slice (<c>^n</c> counts from the end).</summary>
    /// <param name="range">The range.</param>
    public static implicit operator Ix(Range range)
    {
        int? start = range.Start.IsFromEnd ? (range.Start.Value == 0 ? null : -range.Start.Value) : range.Start.Value;
        if (range.Start.IsFromEnd && range.Start.Value == 0)
        {
            // ^0.. is an empty slice at the end.
            return S(int.MaxValue, null);
        }

        int? stop = range.End.IsFromEnd ? (range.End.Value == 0 ? null : -range.End.Value) : range.End.Value;
        return S(start, stop);
    }

    /// <summary>Converts an integer.</summary>
    /// <param name="index">The index.</param>
    /// <returns>The index item.</returns>
    public static Ix FromInt32(int index) => At(index);

    /// <summary>Converts a range.</summary>
    /// <param name="range">The range.</param>
    /// <returns>The index item.</returns>
    public static Ix FromRange(Range range) => range;

    /// <summary>Resolves a slice on an axis of <paramref name="length"/> like Python's <c>slice.indices</c>.</summary>
    /// <param name="length">The axis length.</param>
    /// <returns>The first index, the step and the number of elements selected.</returns>
    public (long Start, long Step, long Count) Resolve(long length)
    {
        long step = Step;
        long start, stop;
        if (step > 0)
        {
            start = Start is null ? 0 : Clamp(Start.Value < 0 ? Start.Value + length : Start.Value, 0, length);
            stop = Stop is null ? length : Clamp(Stop.Value < 0 ? Stop.Value + length : Stop.Value, 0, length);
            long count = stop > start ? ((stop - start - 1) / step) + 1 : 0;
            return (start, step, count);
        }
        else
        {
            start = Start is null ? length - 1 : Clamp(Start.Value < 0 ? Start.Value + length : Start.Value, -1, length - 1);
            stop = Stop is null ? -1 : Clamp(Stop.Value < 0 ? Stop.Value + length : Stop.Value, -1, length - 1);
            long count = start > stop ? ((start - stop - 1) / -step) + 1 : 0;
            return (start, step, count);
        }
    }

    private static long Clamp(long v, long lo, long hi) => Math.Min(Math.Max(v, lo), hi);

    /// <inheritdoc/>
    public bool Equals(Ix other) =>
        Kind == other.Kind && Start == other.Start && Stop == other.Stop && Step == other.Step
        && (Indices.IsDefault ? other.Indices.IsDefault : !other.Indices.IsDefault && Indices.SequenceEqual(other.Indices))
        && (Mask.IsDefault ? other.Mask.IsDefault : !other.Mask.IsDefault && Mask.SequenceEqual(other.Mask));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Ix other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, Start, Stop, Step);

    /// <summary>Compares two index items.</summary>
    /// <param name="left">The first.</param>
    /// <param name="right">The second.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(Ix left, Ix right) => left.Equals(right);

    /// <summary>Compares two index items.</summary>
    /// <param name="left">The first.</param>
    /// <param name="right">The second.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(Ix left, Ix right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        IxKind.Index => Start!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        IxKind.Slice => $"{Start}:{Stop}{(Step == 1 ? string.Empty : ":" + Step.ToString(System.Globalization.CultureInfo.InvariantCulture))}",
        IxKind.NewAxis => "None",
        IxKind.Ellipsis => "...",
        IxKind.Array => "[" + string.Join(", ", Indices) + "]",
        _ => "mask[" + Mask.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]",
    };
}

/// <summary>The kinds of <see cref="Ix"/>.</summary>
public enum IxKind
{
    /// <summary>One integer: the axis is removed.</summary>
    Index,

    /// <summary>A slice <c>start:stop:step</c>.</summary>
    Slice,

    /// <summary>A new axis of length 1.</summary>
    NewAxis,

    /// <summary>As many whole axes as needed.</summary>
    Ellipsis,

    /// <summary>An integer array along one axis.</summary>
    Array,

    /// <summary>A boolean mask along one axis.</summary>
    Mask,
}
