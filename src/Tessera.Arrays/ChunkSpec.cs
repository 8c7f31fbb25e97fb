using System.Globalization;

namespace Tessera.Arrays;

/// <summary>
/// How to cut an array into blocks, in any of Dask's forms: one size for every axis (<c>1000</c>),
/// a size per axis (<c>new[] { 1000, -1 }</c>, -1 = whole axis), explicit block lengths per axis
/// (<c>new[] { new[] { 5, 5 }, new[] { 3, 7 } }</c>), <c>"auto"</c> or a byte size (<c>"64MiB"</c>),
/// or a mix per axis with <see cref="PerAxis"/> (<c>ChunkSpec.PerAxis("auto", 2)</c>).
/// </summary>
public sealed class ChunkSpec
{
    private ChunkSpec(object? all, object?[]? perAxis, IReadOnlyDictionary<int, object?>? byAxis)
    {
        All = all;
        Items = perAxis;
        ByAxisMap = byAxis;
    }

    internal object? All { get; }

    internal object?[]? Items { get; }

    internal IReadOnlyDictionary<int, object?>? ByAxisMap { get; }

    /// <summary>Gets <c>"auto"</c>: blocks of about <c>array.chunk-size</c> bytes (config, default 128 MiB).</summary>
    public static ChunkSpec Auto { get; } = new("auto", null, null);

    /// <summary>Converts one block size used on every axis.</summary>
    /// <param name="size">The size; -1 means the whole axis.</param>
    public static implicit operator ChunkSpec(int size) => new(size, null, null);

    /// <summary>Converts a block size per axis (-1 means the whole axis).</summary>
    /// <param name="sizes">The sizes.</param>
    public static implicit operator ChunkSpec(int[] sizes) => new(null, [.. sizes.Cast<object?>()], null);

    /// <summary>Converts explicit block lengths per axis.</summary>
    /// <param name="chunks">The block lengths of each axis.</param>
    public static implicit operator ChunkSpec(int[][] chunks) => new(null, [.. chunks.Cast<object?>()], null);

    /// <summary>Converts <c>"auto"</c> or a byte size such as <c>"100MB"</c> or <c>"1kiB"</c>.</summary>
    /// <param name="spec">The text.</param>
    public static implicit operator ChunkSpec(string spec) => new(spec, null, null);

    /// <summary>Creates a spec from one item per axis: an <see cref="int"/> size (-1 whole axis), an <see cref="int"/>[] of explicit lengths, <c>"auto"</c>, a byte size, or null (whole axis).</summary>
    /// <param name="items">The items.</param>
    /// <returns>The spec.</returns>
    public static ChunkSpec PerAxis(params object?[] items) => new(null, items, null);

    /// <summary>Creates a spec for some axes (negative axes count from the end); the others stay whole (or, for rechunk, unchanged).</summary>
    /// <param name="items">Axis → item, as in <see cref="PerAxis"/>.</param>
    /// <returns>The spec.</returns>
    public static ChunkSpec ByAxis(IReadOnlyDictionary<int, object?> items) => new(null, null, items);

    /// <summary>Converts a size.</summary>
    /// <param name="size">The size.</param>
    /// <returns>The spec.</returns>
    public static ChunkSpec FromInt32(int size) => size;

    /// <summary>Converts sizes.</summary>
    /// <param name="sizes">The sizes.</param>
    /// <returns>The spec.</returns>
    public static ChunkSpec FromInt32Array(int[] sizes) => sizes;

    /// <summary>Converts a text spec.</summary>
    /// <param name="spec">The spec.</param>
    /// <returns>The spec.</returns>
    public static ChunkSpec FromString(string spec) => spec;

    /// <inheritdoc/>
    public override string ToString() =>
        All is not null ? Convert.ToString(All, CultureInfo.InvariantCulture)!
        : Items is not null ? "(" + string.Join(", ", Items.Select(Describe)) + ")"
        : "{" + string.Join(", ", ByAxisMap!.Select(kv => $"{kv.Key}: {Describe(kv.Value)}")) + "}";

    internal static string Describe(object? item) => item switch
    {
        null => "None",
        int[] a => "(" + string.Join(", ", a) + ")",
        _ => Convert.ToString(item, CultureInfo.InvariantCulture) ?? string.Empty,
    };
}
