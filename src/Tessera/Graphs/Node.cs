using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text;

namespace Tessera.Graphs;

/// <summary>
/// The expression a task evaluates: a literal, a reference to another key, a call of a function on
/// argument expressions, or a list, tuple or dictionary of expressions.
/// </summary>
/// <remarks>
/// A graph maps each key to a node. A <see cref="LiteralNode"/> at the top of a graph entry is
/// data; a <see cref="RefNode"/> there is an alias; a <see cref="CallNode"/> is a task. Nodes are
/// immutable and may be shared between graphs. The set of node kinds is closed.
/// </remarks>
public abstract class Node
{
    private protected Node()
    {
    }

    /// <summary>Gets a value indicating whether this node or any node inside it refers to another key.</summary>
    public abstract bool HasReferences { get; }

    /// <summary>Creates a literal node.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The node.</returns>
    public static LiteralNode Literal(object? value) => new(value);

    /// <summary>Creates a literal node; a value of a value type is stored unboxed (a smaller graph).</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value.</param>
    /// <returns>The node.</returns>
    public static LiteralNode Literal<T>(T value) => typeof(T).IsValueType ? new StructLiteralNode<T>(value) : new LiteralNode(value);

    /// <summary>Creates a reference to the result of another key.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The node.</returns>
    public static RefNode Ref(Key key) => new(key);

    /// <summary>Creates a call of <paramref name="function"/> on <paramref name="args"/>.</summary>
    /// <param name="function">The function.</param>
    /// <param name="args">The argument expressions.</param>
    /// <returns>The node.</returns>
    public static CallNode Call(TaskFunction function, params ReadOnlySpan<Node> args) => new(function, args.ToArray());

    /// <summary>Creates a list whose items evaluate to <typeparamref name="T"/>; it evaluates to a <c>T[]</c>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="items">The item expressions.</param>
    /// <returns>The node.</returns>
    public static ListNode<T> List<T>(params ReadOnlySpan<Node> items) => new(items.ToArray());

    /// <summary>Creates a pair; it evaluates to a <see cref="ValueTuple{T1, T2}"/>.</summary>
    /// <typeparam name="T1">The first item's type.</typeparam>
    /// <typeparam name="T2">The second item's type.</typeparam>
    /// <param name="item1">The first item.</param>
    /// <param name="item2">The second item.</param>
    /// <returns>The node.</returns>
    public static TupleNode<T1, T2> Tuple<T1, T2>(Node item1, Node item2) => new(item1, item2);

    /// <summary>Creates a dictionary with literal keys and expression values; it evaluates to a <see cref="Dictionary{TKey, TValue}"/>.</summary>
    /// <typeparam name="TKey">The dictionary key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="entries">The entries.</param>
    /// <returns>The node.</returns>
    public static DictNode<TKey, TValue> Dict<TKey, TValue>(IEnumerable<KeyValuePair<TKey, Node>> entries)
        where TKey : notnull => new(entries);

    /// <summary>Lists the keys this node refers to, in evaluation order, with repeats.</summary>
    /// <returns>The referenced keys.</returns>
    public IReadOnlyList<Key> GetReferences()
    {
        var keys = new List<Key>();
        CollectReferences(keys);
        return keys;
    }

    /// <summary>Appends the keys this node refers to, in evaluation order, with repeats.</summary>
    /// <param name="keys">The list to append to.</param>
    public abstract void CollectReferences(List<Key> keys);

    /// <summary>
    /// Returns a copy of this node in which every reference is replaced by what
    /// <paramref name="replace"/> returns for it; unchanged subtrees are shared.
    /// </summary>
    /// <param name="replace">Maps a reference to its replacement (return the reference to keep it).</param>
    /// <returns>The rewritten node, or this node when nothing changed.</returns>
    public abstract Node ReplaceReferences(Func<RefNode, Node> replace);

    /// <summary>Gets the node's direct sub-expressions (arguments, items or values); empty for literals and references.</summary>
    internal virtual IReadOnlyList<Node> Children => [];

    /// <summary>Evaluates the node, reading referenced results through the evaluation context.</summary>
    internal abstract object? Evaluate(ref EvaluationContext context);

    /// <summary>Writes a short, human-readable form of the node.</summary>
    internal abstract void Format(StringBuilder sb, int depth);

    /// <inheritdoc/>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Format(sb, 0);
        return sb.ToString();
    }

    private protected static bool AnyReferences(ReadOnlySpan<Node> nodes)
    {
        foreach (Node n in nodes)
        {
            if (n.HasReferences)
            {
                return true;
            }
        }

        return false;
    }

    private protected static Node[]? ReplaceAll(Node[] nodes, Func<RefNode, Node> replace)
    {
        Node[]? copy = null;
        for (int i = 0; i < nodes.Length; i++)
        {
            Node n = nodes[i];
            Node r = n.HasReferences ? n.ReplaceReferences(replace) : n;
            if (!ReferenceEquals(r, n))
            {
                copy ??= (Node[])nodes.Clone();
                copy[i] = r;
            }
        }

        return copy;
    }

    private protected static void FormatList(StringBuilder sb, ReadOnlySpan<Node> nodes, int depth)
    {
        const int MaxItems = 8;
        for (int i = 0; i < nodes.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            if (i == MaxItems)
            {
                sb.Append("… ").Append(nodes.Length - MaxItems).Append(" more");
                break;
            }

            nodes[i].Format(sb, depth + 1);
        }
    }
}

/// <summary>A constant value.</summary>
public class LiteralNode : Node
{
    private readonly object? _value;

    internal LiteralNode(object? value) => _value = value;

    /// <summary>Gets the value.</summary>
    public virtual object? Value => _value;

    /// <inheritdoc/>
    public override bool HasReferences => false;

    /// <inheritdoc/>
    public override void CollectReferences(List<Key> keys)
    {
    }

    /// <inheritdoc/>
    public override Node ReplaceReferences(Func<RefNode, Node> replace) => this;

    internal override object? Evaluate(ref EvaluationContext context) => Value;

    internal override void Format(StringBuilder sb, int depth)
    {
        string text = Value switch
        {
            null => "null",
            string s => "\"" + (s.Length > 24 ? s[..24] + "…" : s) + "\"",
            Array a => $"{a.GetType().GetElementType()?.Name}[{a.Length}]",
            _ => Value.ToString() ?? Value.GetType().Name,
        };
        sb.Append(text.Length > 40 ? text[..40] + "…" : text);
    }
}

/// <summary>A literal of a value type, held unboxed; it is boxed when a task reads it.</summary>
internal sealed class StructLiteralNode<T>(T value) : LiteralNode(null)
{
    public override object? Value => value;
}

/// <summary>A reference to the result of another key.</summary>
public sealed class RefNode : Node
{
    internal RefNode(Key key)
    {
        if (key.IsDefault)
        {
            throw new ArgumentException("A reference needs a key; the default key names nothing.", nameof(key));
        }

        Key = key;
    }

    /// <summary>Gets the referenced key.</summary>
    public Key Key { get; }

    /// <inheritdoc/>
    public override bool HasReferences => true;

    /// <inheritdoc/>
    public override void CollectReferences(List<Key> keys) => keys.Add(Key);

    /// <inheritdoc/>
    public override Node ReplaceReferences(Func<RefNode, Node> replace) => replace(this);

    internal override object? Evaluate(ref EvaluationContext context) => context.NextReference();

    internal override void Format(StringBuilder sb, int depth) => sb.Append(Key.ToString());
}

/// <summary>A call of a function on argument expressions.</summary>
public sealed class CallNode : Node
{
    private const int InlineArguments = 8;
    private readonly Node[] _args;

    internal CallNode(TaskFunction function, Node[] args)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(args);
        if (function.Arity != args.Length)
        {
            throw new ArgumentException(
                $"Function '{function.Name}' takes {function.Arity} argument(s) but {args.Length} were given; pass one argument expression per parameter.",
                nameof(args));
        }

        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] is null)
            {
                throw new ArgumentNullException(nameof(args), $"Argument {i} of the call to '{function.Name}' is null; use Node.Literal(null) for a null value.");
            }
        }

        Function = function;
        _args = args;
        HasReferences = AnyReferences(args);
    }

    /// <summary>Gets the function called.</summary>
    public TaskFunction Function { get; }

    /// <summary>Gets the argument expressions.</summary>
    public ReadOnlySpan<Node> Arguments => _args;

    internal override IReadOnlyList<Node> Children => _args;

    /// <inheritdoc/>
    public override bool HasReferences { get; }

    /// <inheritdoc/>
    public override void CollectReferences(List<Key> keys)
    {
        if (!HasReferences)
        {
            return;
        }

        foreach (Node a in _args)
        {
            a.CollectReferences(keys);
        }
    }

    /// <inheritdoc/>
    public override Node ReplaceReferences(Func<RefNode, Node> replace)
    {
        Node[]? args = HasReferences ? ReplaceAll(_args, replace) : null;
        return args is null ? this : new CallNode(Function, args);
    }

    internal override object? Evaluate(ref EvaluationContext context)
    {
        Node[] args = _args;
        if (args.Length <= InlineArguments)
        {
            ArgumentBuffer buffer = default;
            Span<object?> values = buffer;
            values = values[..args.Length];
            for (int i = 0; i < args.Length; i++)
            {
                values[i] = args[i].Evaluate(ref context);
            }

            return Function.Invoke(values);
        }

        object?[] many = new object?[args.Length];
        for (int i = 0; i < args.Length; i++)
        {
            many[i] = args[i].Evaluate(ref context);
        }

        return Function.Invoke(many);
    }

    internal override void Format(StringBuilder sb, int depth)
    {
        sb.Append(Function.Name).Append('(');
        if (depth < 3)
        {
            FormatList(sb, _args, depth);
        }
        else
        {
            sb.Append('…');
        }

        sb.Append(')');
    }

    [System.Runtime.CompilerServices.InlineArray(InlineArguments)]
    private struct ArgumentBuffer
    {
        private object? _element0;
    }
}

/// <summary>The non-generic view of a list node.</summary>
public abstract class ListNode : Node
{
    private protected ListNode(Node[] items)
    {
        ArgumentNullException.ThrowIfNull(items);
        Items = ImmutableCollectionsMarshal.AsImmutableArray(items);
        HasReferences = AnyReferences(items);
    }

    /// <summary>Gets the item expressions.</summary>
    public ImmutableArray<Node> Items { get; }

    /// <summary>Gets the element type of the array the list evaluates to.</summary>
    public abstract Type ElementType { get; }

    internal override IReadOnlyList<Node> Children => Items;

    /// <inheritdoc/>
    public override bool HasReferences { get; }

    /// <inheritdoc/>
    public override void CollectReferences(List<Key> keys)
    {
        if (!HasReferences)
        {
            return;
        }

        foreach (Node n in Items)
        {
            n.CollectReferences(keys);
        }
    }

    internal override void Format(StringBuilder sb, int depth)
    {
        sb.Append('[');
        FormatList(sb, Items.AsSpan(), depth);
        sb.Append(']');
    }
}

/// <summary>A list of expressions that evaluates to a <c>T[]</c>.</summary>
/// <typeparam name="T">The element type.</typeparam>
public sealed class ListNode<T> : ListNode
{
    internal ListNode(Node[] items)
        : base(items)
    {
    }

    /// <inheritdoc/>
    public override Type ElementType => typeof(T);

    /// <inheritdoc/>
    public override Node ReplaceReferences(Func<RefNode, Node> replace)
    {
        if (!HasReferences)
        {
            return this;
        }

        Node[] items = [.. Items];
        Node[]? replaced = ReplaceAll(items, replace);
        return replaced is null ? this : new ListNode<T>(replaced);
    }

    internal override object? Evaluate(ref EvaluationContext context)
    {
        ReadOnlySpan<Node> items = Items.AsSpan();
        var result = new T[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            object? value = items[i].Evaluate(ref context);
            result[i] = value is T t ? t : value is null && default(T) is null ? default! : throw BadItem(value, i);
        }

        return result;
    }

    private static InvalidCastException BadItem(object? value, int index) =>
        new($"List item {index} evaluated to {(value is null ? "null" : value.GetType().ToString())}, but the list holds {typeof(T)}; build the list with the right element type.");
}

/// <summary>A pair of expressions that evaluates to a <see cref="ValueTuple{T1, T2}"/>.</summary>
/// <typeparam name="T1">The first item's type.</typeparam>
/// <typeparam name="T2">The second item's type.</typeparam>
public sealed class TupleNode<T1, T2> : Node
{
    internal TupleNode(Node item1, Node item2)
    {
        ArgumentNullException.ThrowIfNull(item1);
        ArgumentNullException.ThrowIfNull(item2);
        Item1 = item1;
        Item2 = item2;
    }

    /// <summary>Gets the first item.</summary>
    public Node Item1 { get; }

    /// <summary>Gets the second item.</summary>
    public Node Item2 { get; }

    internal override IReadOnlyList<Node> Children => [Item1, Item2];

    /// <inheritdoc/>
    public override bool HasReferences => Item1.HasReferences || Item2.HasReferences;

    /// <inheritdoc/>
    public override void CollectReferences(List<Key> keys)
    {
        Item1.CollectReferences(keys);
        Item2.CollectReferences(keys);
    }

    /// <inheritdoc/>
    public override Node ReplaceReferences(Func<RefNode, Node> replace)
    {
        Node a = Item1.ReplaceReferences(replace);
        Node b = Item2.ReplaceReferences(replace);
        return ReferenceEquals(a, Item1) && ReferenceEquals(b, Item2) ? this : new TupleNode<T1, T2>(a, b);
    }

    internal override object? Evaluate(ref EvaluationContext context)
    {
        object? a = Item1.Evaluate(ref context);
        object? b = Item2.Evaluate(ref context);
        return ((T1)a!, (T2)b!);
    }

    internal override void Format(StringBuilder sb, int depth)
    {
        sb.Append('(');
        Item1.Format(sb, depth + 1);
        sb.Append(", ");
        Item2.Format(sb, depth + 1);
        sb.Append(')');
    }
}

/// <summary>A dictionary with literal keys and expression values; evaluates to a <see cref="Dictionary{TKey, TValue}"/>.</summary>
/// <typeparam name="TKey">The dictionary key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed class DictNode<TKey, TValue> : Node
    where TKey : notnull
{
    private readonly TKey[] _keys;
    private readonly Node[] _values;

    internal DictNode(IEnumerable<KeyValuePair<TKey, Node>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = entries.ToList();
        _keys = new TKey[list.Count];
        _values = new Node[list.Count];
        for (int i = 0; i < list.Count; i++)
        {
            _keys[i] = list[i].Key;
            _values[i] = list[i].Value ?? throw new ArgumentNullException(nameof(entries), $"The value expression of entry '{list[i].Key}' is null.");
        }

        HasReferences = AnyReferences(_values);
    }

    private DictNode(TKey[] keys, Node[] values)
    {
        _keys = keys;
        _values = values;
        HasReferences = AnyReferences(values);
    }

    /// <summary>Gets the entries.</summary>
    public IEnumerable<KeyValuePair<TKey, Node>> Entries => _keys.Select((k, i) => KeyValuePair.Create(k, _values[i]));

    internal override IReadOnlyList<Node> Children => _values;

    /// <inheritdoc/>
    public override bool HasReferences { get; }

    /// <inheritdoc/>
    public override void CollectReferences(List<Key> keys)
    {
        foreach (Node n in _values)
        {
            n.CollectReferences(keys);
        }
    }

    /// <inheritdoc/>
    public override Node ReplaceReferences(Func<RefNode, Node> replace)
    {
        Node[]? values = HasReferences ? ReplaceAll(_values, replace) : null;
        return values is null ? this : new DictNode<TKey, TValue>(_keys, values);
    }

    internal override object? Evaluate(ref EvaluationContext context)
    {
        var result = new Dictionary<TKey, TValue>(_keys.Length);
        for (int i = 0; i < _keys.Length; i++)
        {
            result[_keys[i]] = (TValue)_values[i].Evaluate(ref context)!;
        }

        return result;
    }

    internal override void Format(StringBuilder sb, int depth)
    {
        sb.Append('{');
        for (int i = 0; i < _keys.Length && i < 8; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            sb.Append(_keys[i]).Append(": ");
            _values[i].Format(sb, depth + 1);
        }

        sb.Append('}');
    }
}

/// <summary>
/// What a node needs while it is evaluated: the results computed so far, and the positions of the
/// referenced results in the order in which the node's references are visited.
/// </summary>
internal ref struct EvaluationContext
{
    private readonly object?[] _results;
    private readonly ReadOnlySpan<int> _slots;
    private int _next;

    public EvaluationContext(object?[] results, ReadOnlySpan<int> slots)
    {
        _results = results;
        _slots = slots;
        _next = 0;
    }

    public object? NextReference() => _results[_slots[_next++]];
}
