using System.Collections;

namespace Tessera.Distributed.Scheduler;

/// <summary>
/// A list of references kept in one field: nothing when empty, the item itself when there is one, a
/// <see cref="List{T}"/> from the second on. The scheduler keeps several such lists per task (who wants
/// it, who holds it, its dependents) and most of them hold zero or one item, so this saves a list object
/// and its array per list and task.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
/// <remarks>
/// A mutable struct: keep it in a field and call its mutating methods on the field itself, never on a copy.
/// Items are compared by reference.
/// </remarks>
internal struct CompactList<T> : IEnumerable<T>
    where T : class
{
    private object? _items;

    /// <summary>Gets the number of items.</summary>
    public readonly int Count => _items switch
    {
        null => 0,
        List<T> list => list.Count,
        _ => 1,
    };

    /// <summary>Appends an item.</summary>
    public void Add(T item)
    {
        switch (_items)
        {
            case null:
                _items = item;
                break;
            case List<T> list:
                list.Add(item);
                break;
            default:
                _items = new List<T>(2) { (T)_items, item };
                break;
        }
    }

    /// <summary>Removes the first occurrence of an item.</summary>
    /// <returns>Whether it was there.</returns>
    public bool Remove(T item)
    {
        switch (_items)
        {
            case null:
                return false;
            case List<T> list:
                if (!list.Remove(item))
                {
                    return false;
                }

                if (list.Count <= 1)
                {
                    _items = list.Count == 0 ? null : list[0];
                }

                return true;
            default:
                if (!ReferenceEquals(_items, item))
                {
                    return false;
                }

                _items = null;
                return true;
        }
    }

    /// <summary>Removes every item.</summary>
    public void Clear() => _items = null;

    /// <summary>Tells whether the list holds an item.</summary>
    public readonly bool Contains(T item) => _items switch
    {
        null => false,
        List<T> list => list.Contains(item),
        _ => ReferenceEquals(_items, item),
    };

    /// <summary>Tells whether some item matches.</summary>
    public readonly bool Exists(Predicate<T> match)
    {
        foreach (T item in this)
        {
            if (match(item))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Tells whether every item matches (true when empty).</summary>
    public readonly bool TrueForAll(Predicate<T> match)
    {
        foreach (T item in this)
        {
            if (!match(item))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Enumerates the items without allocating.</summary>
    public readonly Enumerator GetEnumerator() => new(_items);

    /// <inheritdoc/>
    readonly IEnumerator<T> IEnumerable<T>.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    readonly IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Enumerates a <see cref="CompactList{T}"/>.</summary>
    public struct Enumerator : IEnumerator<T>
    {
        private readonly object? _items;
        private int _index;

        internal Enumerator(object? items)
        {
            _items = items;
            _index = -1;
        }

        /// <inheritdoc/>
        public readonly T Current => _items is List<T> list ? list[_index] : (T)_items!;

        /// <inheritdoc/>
        readonly object IEnumerator.Current => Current;

        /// <inheritdoc/>
        public bool MoveNext() => ++_index < (_items switch
        {
            null => 0,
            List<T> list => list.Count,
            _ => 1,
        });

        /// <inheritdoc/>
        public void Reset() => _index = -1;

        /// <inheritdoc/>
        public readonly void Dispose()
        {
        }
    }
}
