using System.Numerics;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera;

/// <summary>A lazy value of type <typeparamref name="T"/>. See <see cref="Delayed"/>.</summary>
/// <typeparam name="T">The type of the computed value.</typeparam>
public sealed class Delayed<T> : Delayed
{
    private readonly object? _tokenContent;

    internal Delayed(Key key, Node node, Delayed[] dependencies, bool inline, object? tokenContent = null)
        : base(key, node, dependencies, inline)
    {
        _tokenContent = tokenContent;
    }

    /// <inheritdoc/>
    public override Type ResultType => typeof(T);

    /// <summary>Embeds a plain value as a lazy one, so it can be passed where a lazy value is expected.</summary>
    /// <param name="value">The value.</param>
    public static implicit operator Delayed<T>(T value) => new(default, Node.Literal(value), [], inline: true);

    /// <summary>Computes the value with the configured scheduler (or <paramref name="scheduler"/>) and blocks until it is ready.</summary>
    /// <param name="scheduler">The scheduler; by default the configured one.</param>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <returns>The value.</returns>
    /// <exception cref="TaskFailedException">A task threw; its key and exception are in the exception.</exception>
    public T Compute(IScheduler? scheduler = null, CancellationToken cancellationToken = default) =>
        Cast<T>(ComputeCore([this], scheduler, cancellationToken)[0]);

    /// <summary>Computes the value without blocking the caller.</summary>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <returns>The value.</returns>
    public Task<T> ComputeAsync(CancellationToken cancellationToken = default) => ComputeAsync(scheduler: null, cancellationToken);

    /// <summary>Computes the value with <paramref name="scheduler"/> without blocking the caller.</summary>
    /// <param name="scheduler">The scheduler; by default the configured one.</param>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <returns>The value.</returns>
    public async Task<T> ComputeAsync(IScheduler? scheduler, CancellationToken cancellationToken = default)
    {
        object?[] results = await ComputeAsync([this], scheduler, cancellationToken).ConfigureAwait(false);
        return Cast<T>(results[0]);
    }

    /// <summary>
    /// Computes the value now and returns a lazy value with the same key that holds the result, so
    /// later graphs built on it start from the result instead of recomputing it.
    /// </summary>
    /// <param name="scheduler">The scheduler; by default the configured one.</param>
    /// <returns>The persisted lazy value.</returns>
    public Delayed<T> Persist(IScheduler? scheduler = null)
    {
        T value = Compute(scheduler);
        return new Delayed<T>(Key, Node.Literal(value), [], inline: false);
    }

    /// <summary>Returns the same computation under another key name (Dask's <c>dask_key_name</c>).</summary>
    /// <param name="keyName">The key name.</param>
    /// <returns>The renamed lazy value.</returns>
    public Delayed<T> WithName(string keyName)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyName);
        return new Delayed<T>(new Key(keyName), Node, Dependencies, inline: false) { Attached = Attached };
    }

    /// <summary>
    /// Applies <paramref name="selector"/> lazily: a member access, a method call or any function of
    /// the value (Dask's lazy attribute access and method calls). Usable in LINQ query syntax.
    /// </summary>
    /// <typeparam name="TResult">The type of the selected value.</typeparam>
    /// <param name="selector">The function, for example <c>m =&gt; m.Score</c>.</param>
    /// <returns>The lazy result.</returns>
    public Delayed<TResult> Select<TResult>(Func<T, TResult> selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        TaskFunction f = TaskFunction.Create(selector, "select");
        return Call<TResult>(f, pure: true, [this]);
    }

    internal override object? TokenContent() =>
        !IsInline ? Key
        : Node is LiteralNode literal ? literal.Value
        : _tokenContent is Delayed[] items ? Array.ConvertAll(items, static i => i.TokenContent())
        : _tokenContent;
}

/// <summary>Factories for lazy values, lists and tuples.</summary>
public abstract partial class Delayed
{
    /// <summary>Wraps a value as a lazy value with a key of its own (Dask's <c>delayed(obj)</c>).</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="name">The key prefix; by default the type's name.</param>
    /// <returns>The lazy value; its key is deterministic when the value's content can be tokenized.</returns>
    public static Delayed<T> Value<T>(T value, string? name = null)
    {
        string prefix = name ?? (value?.GetType() ?? typeof(T)).Name.ToLowerInvariant().Replace('`', '_');
        return new Delayed<T>(new Key(prefix + "-" + Tokenizer.Tokenize(value)), Node.Literal(value), [], inline: false);
    }

    /// <summary>Gathers lazy values into one lazy list, embedded in the task that uses it.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="items">The lazy items.</param>
    /// <returns>A lazy read-only list (an array when computed).</returns>
    public static Delayed<IReadOnlyList<T>> List<T>(IEnumerable<Delayed<T>> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        Delayed<T>[] all = items as Delayed<T>[] ?? [.. items];
        var nodes = new Node[all.Length];
        int depCount = 0;
        for (int i = 0; i < all.Length; i++)
        {
            Delayed<T> item = all[i] ?? throw new ArgumentNullException(nameof(items), $"Item {i} of the list is null; pass Delayed.Value(null) for a null item.");
            nodes[i] = item.AsArgument();
            depCount += item.IsInline ? item.Dependencies.Length : 1;
        }

        var deps = depCount == 0 ? [] : new Delayed[depCount];
        int d = 0;
        foreach (Delayed<T> item in all)
        {
            if (item.IsInline)
            {
                item.Dependencies.CopyTo(deps, d);
                d += item.Dependencies.Length;
            }
            else
            {
                deps[d++] = item;
            }
        }

        // The items stand for the list's content in a token; they are read only if a pure call uses the list.
        return new Delayed<IReadOnlyList<T>>(default, new ListNode<T>(nodes), deps, inline: true, tokenContent: (Delayed[])all);
    }

    /// <summary>Pairs two lazy values into one lazy tuple, embedded in the task that uses it.</summary>
    /// <typeparam name="T1">The first value's type.</typeparam>
    /// <typeparam name="T2">The second value's type.</typeparam>
    /// <param name="first">The first value.</param>
    /// <param name="second">The second value.</param>
    /// <returns>The lazy tuple.</returns>
    public static Delayed<(T1, T2)> Tuple<T1, T2>(Delayed<T1> first, Delayed<T2> second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        Delayed[] deps = [.. first.IsInline ? first.Dependencies : [first], .. second.IsInline ? second.Dependencies : [second]];
        return new Delayed<(T1, T2)>(
            default,
            Node.Tuple<T1, T2>(first.AsArgument(), second.AsArgument()),
            deps,
            inline: true,
            tokenContent: new Delayed[] { first, second });
    }
}

/// <summary>Unpacking of lazy tuples (Dask's <c>nout</c>): <c>var (a, b) = pair;</c> gives one lazy value per item.</summary>
public static class DelayedTuples
{
    /// <summary>Splits a lazy pair into two lazy values, each a small task that reads one item.</summary>
    /// <typeparam name="T1">The first item's type.</typeparam>
    /// <typeparam name="T2">The second item's type.</typeparam>
    /// <param name="pair">The lazy pair.</param>
    /// <param name="first">The lazy first item.</param>
    /// <param name="second">The lazy second item.</param>
    public static void Deconstruct<T1, T2>(this Delayed<(T1, T2)> pair, out Delayed<T1> first, out Delayed<T2> second)
    {
        ArgumentNullException.ThrowIfNull(pair);
        first = Delayed.Call<T1>(Items<T1, T2>.First, pure: true, [pair]);
        second = Delayed.Call<T2>(Items<T1, T2>.Second, pure: true, [pair]);
    }

    /// <summary>Splits a lazy triple into three lazy values.</summary>
    /// <typeparam name="T1">The first item's type.</typeparam>
    /// <typeparam name="T2">The second item's type.</typeparam>
    /// <typeparam name="T3">The third item's type.</typeparam>
    /// <param name="triple">The lazy triple.</param>
    /// <param name="first">The lazy first item.</param>
    /// <param name="second">The lazy second item.</param>
    /// <param name="third">The lazy third item.</param>
    public static void Deconstruct<T1, T2, T3>(this Delayed<(T1, T2, T3)> triple, out Delayed<T1> first, out Delayed<T2> second, out Delayed<T3> third)
    {
        ArgumentNullException.ThrowIfNull(triple);
        first = Delayed.Call<T1>(Items<T1, T2, T3>.First, pure: true, [triple]);
        second = Delayed.Call<T2>(Items<T1, T2, T3>.Second, pure: true, [triple]);
        third = Delayed.Call<T3>(Items<T1, T2, T3>.Third, pure: true, [triple]);
    }

    private static class Items<T1, T2>
    {
        public static readonly TaskFunction First = TaskFunction.Create(static ((T1, T2) p) => p.Item1, "getitem");
        public static readonly TaskFunction Second = TaskFunction.Create(static ((T1, T2) p) => p.Item2, "getitem");
    }

    private static class Items<T1, T2, T3>
    {
        public static readonly TaskFunction First = TaskFunction.Create(static ((T1, T2, T3) p) => p.Item1, "getitem");
        public static readonly TaskFunction Second = TaskFunction.Create(static ((T1, T2, T3) p) => p.Item2, "getitem");
        public static readonly TaskFunction Third = TaskFunction.Create(static ((T1, T2, T3) p) => p.Item3, "getitem");
    }
}

/// <summary>Arithmetic on lazy numbers: each operator builds one task with a deterministic key.</summary>
public static class DelayedOperators
{
    extension<T>(Delayed<T>)
        where T : INumberBase<T>
    {
        /// <summary>Adds two lazy numbers.</summary>
        /// <param name="left">The left operand.</param>
        /// <param name="right">The right operand.</param>
        /// <returns>The lazy sum.</returns>
        public static Delayed<T> operator +(Delayed<T> left, Delayed<T> right) => Delayed.Call<T>(Ops<T>.Add, pure: true, [left, right]);

        /// <summary>Subtracts two lazy numbers.</summary>
        /// <param name="left">The left operand.</param>
        /// <param name="right">The right operand.</param>
        /// <returns>The lazy difference.</returns>
        public static Delayed<T> operator -(Delayed<T> left, Delayed<T> right) => Delayed.Call<T>(Ops<T>.Subtract, pure: true, [left, right]);

        /// <summary>Multiplies two lazy numbers.</summary>
        /// <param name="left">The left operand.</param>
        /// <param name="right">The right operand.</param>
        /// <returns>The lazy product.</returns>
        public static Delayed<T> operator *(Delayed<T> left, Delayed<T> right) => Delayed.Call<T>(Ops<T>.Multiply, pure: true, [left, right]);

        /// <summary>Divides two lazy numbers.</summary>
        /// <param name="left">The left operand.</param>
        /// <param name="right">The right operand.</param>
        /// <returns>The lazy quotient.</returns>
        public static Delayed<T> operator /(Delayed<T> left, Delayed<T> right) => Delayed.Call<T>(Ops<T>.Divide, pure: true, [left, right]);

        /// <summary>Negates a lazy number.</summary>
        /// <param name="value">The operand.</param>
        /// <returns>The lazy negation.</returns>
        public static Delayed<T> operator -(Delayed<T> value) => Delayed.Call<T>(Ops<T>.Negate, pure: true, [value]);
    }

    private static class Ops<T>
        where T : INumberBase<T>
    {
        public static readonly TaskFunction Add = TaskFunction.Create(static (T a, T b) => a + b, "add");
        public static readonly TaskFunction Subtract = TaskFunction.Create(static (T a, T b) => a - b, "sub");
        public static readonly TaskFunction Multiply = TaskFunction.Create(static (T a, T b) => a * b, "mul");
        public static readonly TaskFunction Divide = TaskFunction.Create(static (T a, T b) => a / b, "truediv");
        public static readonly TaskFunction Negate = TaskFunction.Create(static (T a) => -a, "neg");
    }
}
