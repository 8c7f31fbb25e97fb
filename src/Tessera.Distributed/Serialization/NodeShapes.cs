using System.Runtime.CompilerServices;
using Tessera.Graphs;

namespace Tessera.Distributed.Serialization;

/// <summary>Creates and reads the typed node kinds (<see cref="ListNode{T}"/>, <see cref="TupleNode{T1, T2}"/>, <see cref="DictNode{TKey, TValue}"/>) for types known only at run time.</summary>
internal abstract class NodeShapes
{
    private static readonly ConditionalWeakTable<Type, NodeShapes> s_lists = new();
    private static readonly ConditionalWeakTable<Type, NodeShapes> s_pairs = new();

    public static NodeShapes ForList(Type element) =>
        s_lists.GetValue(element, static t => (NodeShapes)Activator.CreateInstance(typeof(ListShape<>).MakeGenericType(t))!);

    /// <summary>Gets the shapes for a tuple or dictionary node type, or for its two type arguments.</summary>
    public static NodeShapes ForPair(Type t1, Type t2, bool dictionary)
    {
        Type definition = dictionary ? typeof(DictShape<,>) : typeof(TupleShape<,>);
        Type closed = definition.MakeGenericType(t1, t2);
        return s_pairs.GetValue(closed, static c => (NodeShapes)Activator.CreateInstance(c)!);
    }

    public virtual Node CreateList(Node[] items) => throw new NotSupportedException();

    public virtual Node CreateTuple(Node item1, Node item2) => throw new NotSupportedException();

    public virtual (Node Item1, Node Item2) Items(Node tuple) => throw new NotSupportedException();

    public virtual Node CreateDict(object?[] keys, Node[] values) => throw new NotSupportedException();

    public virtual IEnumerable<KeyValuePair<object, Node>> Entries(Node dict) => throw new NotSupportedException();

    private sealed class ListShape<T> : NodeShapes
    {
        public override Node CreateList(Node[] items) => Node.List<T>(items);
    }

    private sealed class TupleShape<T1, T2> : NodeShapes
    {
        public override Node CreateTuple(Node item1, Node item2) => Node.Tuple<T1, T2>(item1, item2);

        public override (Node Item1, Node Item2) Items(Node tuple)
        {
            var t = (TupleNode<T1, T2>)tuple;
            return (t.Item1, t.Item2);
        }
    }

    private sealed class DictShape<TKey, TValue> : NodeShapes
        where TKey : notnull
    {
        public override Node CreateDict(object?[] keys, Node[] values)
        {
            var entries = new KeyValuePair<TKey, Node>[keys.Length];
            for (int i = 0; i < keys.Length; i++)
            {
                if (keys[i] is not TKey key)
                {
                    throw new InvalidDataException($"Malformed message: dictionary node key {i} is not a {typeof(TKey)}.");
                }

                entries[i] = KeyValuePair.Create(key, values[i]);
            }

            return Node.Dict<TKey, TValue>(entries);
        }

        public override IEnumerable<KeyValuePair<object, Node>> Entries(Node dict) =>
            ((DictNode<TKey, TValue>)dict).Entries.Select(kv => KeyValuePair.Create((object)kv.Key, kv.Value));
    }
}
