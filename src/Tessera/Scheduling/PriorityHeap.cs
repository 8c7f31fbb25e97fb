namespace Tessera.Scheduling;

/// <summary>A binary min-heap of integer priorities.</summary>
internal sealed class PriorityHeap(int capacity)
{
    private int[] _items = new int[Math.Max(4, capacity)];

    public int Count { get; private set; }

    public int Peek() => _items[0];

    public void Push(int value)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        int[] items = _items;
        int i = Count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (items[parent] <= value)
            {
                break;
            }

            items[i] = items[parent];
            i = parent;
        }

        items[i] = value;
    }

    public int Pop()
    {
        int[] items = _items;
        int top = items[0];
        int last = items[--Count];
        int n = Count;
        int i = 0;
        while (true)
        {
            int child = (2 * i) + 1;
            if (child >= n)
            {
                break;
            }

            if (child + 1 < n && items[child + 1] < items[child])
            {
                child++;
            }

            if (items[child] >= last)
            {
                break;
            }

            items[i] = items[child];
            i = child;
        }

        if (n > 0)
        {
            items[i] = last;
        }

        return top;
    }
}
