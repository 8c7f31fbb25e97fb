using System.Numerics;
using Tessera.Graphs;

namespace Tessera.Bags.Internal;

// The task functions of bag operations, created once per element type. Each wraps a static kernel
// method (no closure), so tasks serialize as a method identity plus data arguments.

internal static class Fn<T>
{
    public static readonly TaskFunction ToArray = TaskFunction.Create<IEnumerable<T>, T[]>(Kernels.ToArray, "materialize");
    public static readonly TaskFunction Where = TaskFunction.Create<Func<T, bool>, IEnumerable<T>, IEnumerable<T>>(Kernels.Where, "where");
    public static readonly TaskFunction TakeFirst = TaskFunction.Create<int, IEnumerable<T>, T[]>(Kernels.TakeFirst, "take");
    public static readonly TaskFunction Concat = TaskFunction.Create<T[][], IEnumerable<T>>(Kernels.Concat, "concat");
    public static readonly TaskFunction Piece = TaskFunction.Create<int, T[][], T[]>(Kernels.Piece, "getitem");
    public static readonly TaskFunction SplitEven = TaskFunction.Create<int, IEnumerable<T>, T[][]>(Kernels.SplitEven, "split");
    public static readonly TaskFunction Count = TaskFunction.Create<IEnumerable<T>, long>(Reductions.Count, "count");
    public static readonly TaskFunction Any = TaskFunction.Create<Func<T, bool>?, IEnumerable<T>, bool>(Reductions.Any, "any");
    public static readonly TaskFunction All = TaskFunction.Create<Func<T, bool>, IEnumerable<T>, bool>(Reductions.All, "all");
    public static readonly TaskFunction Extreme = TaskFunction.Create<int, IEnumerable<T>, (bool, T)>(Reductions.Extreme, "extreme");
    public static readonly TaskFunction CombineExtremes = TaskFunction.Create<int, (bool, T)[], (bool, T)>(Reductions.CombineExtremes, "combine-extremes");
    public static readonly TaskFunction FinishExtreme = TaskFunction.Create<string, (bool, T), T>(Reductions.FinishExtreme, "finish-extreme");
    public static readonly TaskFunction Reduce = TaskFunction.Create<Func<T, T, T>, IEnumerable<T>, (bool, T)>(Reductions.ReducePartition, "fold");
    public static readonly TaskFunction CombineReduced = TaskFunction.Create<Func<T, T, T>, (bool, T)[], (bool, T)>(Reductions.CombineReduced, "fold-combine");
    public static readonly TaskFunction FinishReduced = TaskFunction.Create<(bool, T), T>(Reductions.FinishReduced, "fold-finish");
    public static readonly TaskFunction Distinct = TaskFunction.Create<IEnumerable<T>, T[]>(Reductions.DistinctPartition, "distinct");
    public static readonly TaskFunction CombineDistinct = TaskFunction.Create<T[][], T[]>(Reductions.CombineDistinct, "distinct-combine");
    public static readonly TaskFunction Identity = TaskFunction.Create<T, T>(Reductions.Identity, "identity");
    public static readonly TaskFunction FinishTop = TaskFunction.Create<(T, long)[], T[]>(Reductions.FinishTop, "topk-finish");
}

internal static class Fn<T, TResult>
{
    public static readonly TaskFunction Select = TaskFunction.Create<Func<T, TResult>, IEnumerable<T>, IEnumerable<TResult>>(Kernels.Select, "select");
    public static readonly TaskFunction SelectMany = TaskFunction.Create<Func<T, IEnumerable<TResult>>, IEnumerable<T>, IEnumerable<TResult>>(Kernels.SelectMany, "select-many");
    public static readonly TaskFunction MapPartition = TaskFunction.Create<Func<IReadOnlyList<T>, IEnumerable<TResult>>, IEnumerable<T>, IEnumerable<TResult>>(Kernels.MapPartition, "map-partitions");
    public static readonly TaskFunction Product = TaskFunction.Create<T[], TResult[], IEnumerable<(T, TResult)>>(Kernels.Product, "product");
    public static readonly TaskFunction DistinctBy = TaskFunction.Create<Func<T, TResult>, IEnumerable<T>, T[]>(Reductions.DistinctByPartition, "distinct");
    public static readonly TaskFunction CombineDistinctBy = TaskFunction.Create<Func<T, TResult>, T[][], T[]>(Reductions.CombineDistinctBy, "distinct-combine");
    public static readonly TaskFunction TopPartition = TaskFunction.Create<int, Func<T, TResult>, int, IEnumerable<T>, (T, long)[]>(Reductions.TopPartition, "topk");
    public static readonly TaskFunction MergeTop = TaskFunction.Create<int, Func<T, TResult>, (T, long)[][], (T, long)[]>(Reductions.MergeTop, "topk-combine");
    public static readonly TaskFunction SplitByHash = TaskFunction.Create<Func<T, TResult>, int, IEnumerable<T>, T[][]>(Kernels.SplitByHash, "shuffle-split");
    public static readonly TaskFunction PluckIndex = TaskFunction.Create<int, bool, TResult, string, IEnumerable<T>, IEnumerable<TResult>>(Pluck.ByIndex, "pluck");
    public static readonly TaskFunction PluckKey = TaskFunction.Create<string, bool, TResult, string, IEnumerable<T>, IEnumerable<TResult>>(Pluck.ByKey, "pluck");
}

internal static class FlattenFn<TSequence, T>
    where TSequence : IEnumerable<T>?
{
    public static readonly TaskFunction Flatten = TaskFunction.Create<IEnumerable<TSequence>, IEnumerable<T>>(Kernels.Flatten<TSequence, T>, "flatten");
}

internal static class Fn<T, TArg, TResult>
{
    public static readonly TaskFunction SelectWith = TaskFunction.Create<Func<T, TArg, TResult>, TArg, IEnumerable<T>, IEnumerable<TResult>>(Kernels.SelectWith, "select");
    public static readonly TaskFunction StarMap = TaskFunction.Create<Func<T, TArg, TResult>, IEnumerable<(T, TArg)>, IEnumerable<TResult>>(Kernels.StarMap, "starmap");
}

internal static class NumberFn<T>
    where T : INumber<T>
{
    public static readonly TaskFunction Sum = TaskFunction.Create<IEnumerable<T>, T>(Reductions.Sum, "sum");
    public static readonly TaskFunction SumPartials = TaskFunction.Create<T[], T>(Reductions.SumPartials, "sum-combine");
    public static readonly TaskFunction Moments = TaskFunction.Create<IEnumerable<T>, (long, double, double)>(Reductions.Moments, "moments");
}

internal static class CountsFn<T>
    where T : notnull
{
    public static readonly TaskFunction CountPartition = TaskFunction.Create<IEnumerable<T>, Dictionary<T, long>>(Reductions.CountPartition, "frequencies");
    public static readonly TaskFunction MergeCounts = TaskFunction.Create<Dictionary<T, long>[], Dictionary<T, long>>(Reductions.MergeCounts, "frequencies-combine");
    public static readonly TaskFunction FinishCounts = TaskFunction.Create<bool, Dictionary<T, long>, KeyValuePair<T, long>[]>(Reductions.FinishCounts, "frequencies-finish");
}

internal static class ScalarFn
{
    public static readonly TaskFunction SumInt64 = TaskFunction.Create<long[], long>(Reductions.SumInt64, "sum");
    public static readonly TaskFunction Or = TaskFunction.Create<bool[], bool>(Reductions.Or, "any");
    public static readonly TaskFunction And = TaskFunction.Create<bool[], bool>(Reductions.And, "all");
    public static readonly TaskFunction CombineMoments = TaskFunction.Create<(long, double, double)[], (long, double, double)>(Reductions.CombineMoments, "moments-combine");
    public static readonly TaskFunction FinishMean = TaskFunction.Create<(long, double, double), double>(Reductions.FinishMean, "mean");
    public static readonly TaskFunction FinishVariance = TaskFunction.Create<int, (long, double, double), double>(Reductions.FinishVariance, "var");
    public static readonly TaskFunction FinishStd = TaskFunction.Create<int, (long, double, double), double>(Reductions.FinishStd, "std");
    public static readonly TaskFunction ReadLines = TaskFunction.Create<string, long, long, string, string, IEnumerable<string>>(TextKernels.ReadLines, "read-text");
    public static readonly TaskFunction WriteLines = TaskFunction.Create<string, string, string, IEnumerable<string>, string>(TextKernels.WriteLines, "to-textfiles");
}

internal static class JoinFn<T, TInner, TKey, TResult>
{
    public static readonly TaskFunction Join = TaskFunction.Create<Func<T, TKey>, Func<TInner, TKey>, Func<T, TInner, TResult>, TInner[], IEnumerable<T>, IEnumerable<TResult>>(Kernels.Join, "join");
}

internal static class FoldFn<T, TAcc>
{
    public static readonly TaskFunction Fold = TaskFunction.Create<Func<TAcc, T, TAcc>, TAcc, IEnumerable<T>, TAcc>(Reductions.FoldPartition, "fold");
    public static readonly TaskFunction FoldNew = TaskFunction.Create<Func<TAcc, T, TAcc>, Func<TAcc>, IEnumerable<T>, TAcc>(Reductions.FoldPartitionNew, "fold");
    public static readonly TaskFunction Combine = TaskFunction.Create<Func<TAcc, TAcc, TAcc>, TAcc[], TAcc>(Reductions.CombineFolds, "fold-combine");
}

internal static class FoldByFn<T, TKey, TAcc>
    where TKey : notnull
{
    public static readonly TaskFunction Fold = TaskFunction.Create<Func<T, TKey>, Func<TAcc, T, TAcc>, TAcc, IEnumerable<T>, Dictionary<TKey, TAcc>>(Reductions.FoldByPartition, "foldby");
    public static readonly TaskFunction FoldNew = TaskFunction.Create<Func<T, TKey>, Func<TAcc, T, TAcc>, Func<TAcc>, IEnumerable<T>, Dictionary<TKey, TAcc>>(Reductions.FoldByPartitionNew, "foldby");
    public static readonly TaskFunction Combine = TaskFunction.Create<Func<TAcc, TAcc, TAcc>, bool, TAcc, Dictionary<TKey, TAcc>[], Dictionary<TKey, TAcc>>(Reductions.CombineFoldBy, "foldby-combine");
    public static readonly TaskFunction Finish = TaskFunction.Create<Dictionary<TKey, TAcc>, KeyValuePair<TKey, TAcc>[]>(Reductions.FinishFoldBy, "foldby-finish");
}

internal static class GroupFn<T, TKey>
    where TKey : notnull
{
    public static readonly TaskFunction Group = TaskFunction.Create<Func<T, TKey>, T[][], KeyValuePair<TKey, IReadOnlyList<T>>[]>(Kernels.Group, "groupby");
}

internal static class StarMap3Fn<T1, T2, T3, TResult>
{
    public static readonly TaskFunction StarMap = TaskFunction.Create<Func<T1, T2, T3, TResult>, IEnumerable<(T1, T2, T3)>, IEnumerable<TResult>>(Kernels.StarMap3, "starmap");
}

internal static class JsonFn<T>
{
    public static readonly TaskFunction Read = TaskFunction.Create<string, long, long, string, int, IEnumerable<T>>(TextKernels.ReadJson<T>, "read-json");
    public static readonly TaskFunction ReadSkipping = TaskFunction.Create<string, long, long, string, int, (T[], long)>(TextKernels.ReadJsonSkipping<T>, "read-json");
    public static readonly TaskFunction Records = TaskFunction.Create<(T[], long), T[]>(TextKernels.Records, "records");
    public static readonly TaskFunction Skipped = TaskFunction.Create<(T[], long), long>(TextKernels.Skipped, "skipped");
}
