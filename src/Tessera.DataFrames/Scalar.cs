using Tessera.Collections;
using Tessera.Graphs;

namespace Tessera.DataFrames;

/// <summary>A lazy single value computed from a collection, such as a column's sum (Dask's <c>Scalar</c>).</summary>
/// <typeparam name="T">The value's type.</typeparam>
public sealed class Scalar<T> : ITesseraCollection<T>
{
    private readonly Key _key;

    internal Scalar(LayeredGraph graph, Key key)
    {
        Graph = graph;
        _key = key;
    }

    /// <inheritdoc/>
    public LayeredGraph Graph { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Key> PartKeys => [_key];

    /// <inheritdoc/>
    public T Assemble(IReadOnlyList<object?> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        return (T)parts[0]!;
    }

    /// <inheritdoc/>
    public ITesseraCollection WithGraph(LayeredGraph graph) => new Scalar<T>(graph, _key);
}
