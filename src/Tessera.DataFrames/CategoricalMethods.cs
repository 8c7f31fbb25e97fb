using Apache.Arrow;
using Tessera.Collections;
using Tessera.DataFrames.Kernels;
using Tessera.Graphs;

namespace Tessera.DataFrames;

/// <summary>
/// Methods of a categorical <see cref="Series"/> (pandas' and Dask's <c>Series.cat</c>). As in Dask,
/// categories are <em>known</em> when every partition uses the same dictionary, recorded in the meta
/// (after <see cref="SetCategories"/> or <see cref="AsKnown"/>), and unknown after
/// <c>AsType(DType.Category)</c>, where each partition's dictionary holds its own distinct values.
/// </summary>
public sealed class CategoricalMethods
{
    private static readonly TaskFunction s_codes = TaskFunction.Create<Table, Table>(CodesOf, "cat-codes");
    private static readonly TaskFunction s_set = TaskFunction.Create<Table, string[], Table>(SetCategoriesOf, "cat-set-categories");
    private readonly Series _series;

    internal CategoricalMethods(Series series)
    {
        if (series.DType != DType.Category)
        {
            throw new ArgumentException($"cat: column '{series.Name}' is {series.DType.Name()}; the cat accessor needs a category column (AsType(DType.Category)).");
        }

        _series = series;
    }

    /// <summary>Gets a value indicating whether the categories are known without computing (every partition shares the meta's dictionary).</summary>
    public bool Known => ((DictionaryArray)Ops.Values(_series.Meta)).Dictionary.Length > 0;

    /// <summary>Gets the categories, in order (their codes are their positions).</summary>
    /// <exception cref="InvalidOperationException">The categories are unknown; call <see cref="AsKnown"/> first.</exception>
    public IReadOnlyList<string> Categories => Known
        ? Categorical.Categories((DictionaryArray)Ops.Values(_series.Meta))
        : throw UnknownError("Categories");

    /// <summary>Gets the codes of the values (int32 positions among <see cref="Categories"/>; -1 where missing, as pandas).</summary>
    /// <exception cref="InvalidOperationException">The categories are unknown, so codes would differ between partitions; call <see cref="AsKnown"/> first.</exception>
    public Series Codes => Known ? _series.Map("cat-codes", s_codes) : throw UnknownError("Codes");

    /// <summary>Encodes every partition against the given categories; values not among them become missing (pandas' <c>set_categories</c>).</summary>
    /// <param name="categories">The categories, distinct, in the order their codes take.</param>
    /// <returns>The lazy series, with known categories.</returns>
    public Series SetCategories(IReadOnlyList<string> categories)
    {
        ArgumentNullException.ThrowIfNull(categories);
        string[] list = [.. categories];
        if (list.Length == 0 || list.Distinct(StringComparer.Ordinal).Count() != list.Length)
        {
            throw new ArgumentException($"cat.set_categories: the categories must be distinct and not empty; got {list.Length} values.", nameof(categories));
        }

        return _series.Map("cat-set-categories", s_set, Node.Literal(list));
    }

    /// <summary>Computes the distinct values of all partitions now (Dask's <c>cat.as_known</c>) and encodes every partition against them, in ordinal order.</summary>
    /// <returns>The lazy series, with known categories.</returns>
    public Series AsKnown()
    {
        if (Known)
        {
            return _series;
        }

        string[] values = [.. _series.Unique().Compute().GetStrings(_series.Name).OfType<string>().Order(StringComparer.Ordinal)];
        return values.Length == 0 ? _series : SetCategories(values);
    }

    private InvalidOperationException UnknownError(string member) =>
        new($"cat.{member}: the categories of '{_series.Name}' are unknown (each partition has its own); call Cat.AsKnown() or Cat.SetCategories(...) first.");

    private static Table CodesOf(Table t) =>
        t.WithColumns([(Ops.NameOf(t), Arrays.Primitive<int>(DType.Int32, Categorical.Codes((DictionaryArray)Ops.Values(t))))]);

    private static Table SetCategoriesOf(Table t, string[] categories) =>
        t.WithColumns([(Ops.NameOf(t), Categorical.Encode(Categorical.Decode((DictionaryArray)Ops.Values(t)), categories))]);
}
