using Tessera.Distributed.Scheduler;

namespace Tessera.Distributed.Tests.Scheduler;

public sealed class CompactListTests
{
    private sealed class Item(int id)
    {
        public int Id { get; } = id;

        public override string ToString() => $"item {Id}";
    }

    [Fact]
    public void RandomOperationsMatchAList()
    {
        var items = Enumerable.Range(0, 5).Select(i => new Item(i)).ToArray();
        var random = new Random(42);
        for (int round = 0; round < 200; round++)
        {
            var oracle = new List<Item>();
            CompactList<Item> list = default;
            for (int step = 0; step < 40; step++)
            {
                Item item = items[random.Next(items.Length)];
                switch (random.Next(4))
                {
                    case 0 or 1:
                        oracle.Add(item);
                        list.Add(item);
                        break;
                    case 2:
                        Assert.Equal(oracle.Remove(item), list.Remove(item));
                        break;
                    default:
                        if (random.Next(10) == 0)
                        {
                            oracle.Clear();
                            list.Clear();
                        }

                        break;
                }

                Assert.Equal(oracle.Count, list.Count);
                Assert.Equal(oracle, list.ToList());
                Assert.Equal(oracle.Contains(item), list.Contains(item));
                Assert.Equal(oracle.Exists(i => i.Id > 2), list.Exists(i => i.Id > 2));
                Assert.Equal(oracle.TrueForAll(i => i.Id > 2), list.TrueForAll(i => i.Id > 2));
            }
        }
    }

    [Fact]
    public void ComparesByReference()
    {
        CompactList<string> list = default;
        string a = new('x', 3);
        string b = new('x', 3);
        list.Add(a);
        Assert.False(list.Contains(b));
        Assert.False(list.Remove(b));
        Assert.True(list.Remove(a));
        Assert.Equal(0, list.Count);
    }
}
