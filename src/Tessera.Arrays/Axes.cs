using System.Collections.Immutable;

namespace Tessera.Arrays;

/// <summary>One axis or several, for reductions (<c>axis=</c>); integers and integer arrays convert implicitly, and null means every axis.</summary>
public readonly struct Axes : IEquatable<Axes>
{
    private readonly ImmutableArray<int> _values;

    /// <summary>Creates the axes.</summary>
    /// <param name="values">The axes; negative ones count from the end.</param>
    public Axes(params int[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = [.. values];
    }

    /// <summary>Gets the axes.</summary>
    public ImmutableArray<int> Values => _values.IsDefault ? [] : _values;

    /// <summary>Converts one axis.</summary>
    /// <param name="axis">The axis.</param>
    public static implicit operator Axes(int axis) => new(axis);

    /// <summary>Converts several axes.</summary>
    /// <param name="axes">The axes.</param>
    public static implicit operator Axes(int[] axes) => new(axes);

    /// <summary>Converts one axis.</summary>
    /// <param name="axis">The axis.</param>
    /// <returns>The axes.</returns>
    public static Axes FromInt32(int axis) => new(axis);

    /// <summary>Converts several axes.</summary>
    /// <param name="axes">The axes.</param>
    /// <returns>The axes.</returns>
    public static Axes FromInt32Array(int[] axes) => new(axes);

    internal static int[]? ToArray(Axes? axes) => axes is { } a ? [.. a.Values] : null;

    /// <inheritdoc/>
    public bool Equals(Axes other) => Values.SequenceEqual(other.Values);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Axes a && Equals(a);

    /// <inheritdoc/>
    public override int GetHashCode() => Values.Aggregate(17, (h, v) => (h * 31) + v);

    /// <summary>Compares axes.</summary>
    /// <param name="left">The first.</param>
    /// <param name="right">The second.</param>
    /// <returns>Whether equal.</returns>
    public static bool operator ==(Axes left, Axes right) => left.Equals(right);

    /// <summary>Compares axes.</summary>
    /// <param name="left">The first.</param>
    /// <param name="right">The second.</param>
    /// <returns>Whether different.</returns>
    public static bool operator !=(Axes left, Axes right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() => "(" + string.Join(", ", Values) + ")";
}
