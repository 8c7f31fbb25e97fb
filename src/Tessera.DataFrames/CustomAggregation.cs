namespace Tessera.DataFrames;

/// <summary>
/// A user-defined group-by reduction in three steps, like Dask's <c>dd.Aggregation(chunk, agg,
/// finalize)</c>, over the numeric values of one group: <see cref="Chunk"/> turns a group's
/// non-missing values within one partition into a state (a few doubles), <see cref="Combine"/> merges
/// states of the same group, and <see cref="Finalize"/> turns the final state into the result.
/// Combine must be associative (the tree reduction groups states arbitrarily).
/// </summary>
/// <param name="Name">The output column's suffix (<c>column_name</c>) and the task name.</param>
/// <param name="Chunk">A group's values (in row order) → its state.</param>
/// <param name="Combine">Several states of one group → one state.</param>
/// <param name="Finalize">The final state → the group's result (NaN for none).</param>
/// <example>
/// The range (max − min) of each group:
/// <code>
/// var range = new CustomAggregation("range",
///     v => [v.Min(), v.Max()],
///     s => [s.Min(x => x[0]), s.Max(x => x[1])],
///     s => s[1] - s[0]);
/// df.GroupBy("id").Agg("x", range);
/// </code>
/// </example>
public sealed record CustomAggregation(string Name, Func<double[], double[]> Chunk, Func<double[][], double[]> Combine, Func<double[], double> Finalize);
