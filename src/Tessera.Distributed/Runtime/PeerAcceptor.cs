namespace Tessera.Distributed.Runtime;

/// <summary>
/// The accept loop of a server (scheduler or worker): accepts connections until the listener closes or
/// the server stops, and serves each on a task of its own. It keeps the serving tasks that still run,
/// so that a stopping server can wait for them.
/// </summary>
internal sealed class PeerAcceptor
{
    private readonly HashSet<Task> _serving = [];

    /// <summary>Starts accepting on <paramref name="listener"/>; <paramref name="serve"/> serves one connection until it ends.</summary>
    public PeerAcceptor(IMessageListener listener, Func<PeerConnection, Task> serve, CancellationToken stop) =>
        Loop = Task.Run(() => AcceptAsync(listener, serve, stop), CancellationToken.None);

    /// <summary>Gets the accept loop, which ends when the listener closes or the server stops.</summary>
    public Task Loop { get; }

    /// <summary>Returns a task that completes when the accept loop and every connection still served have ended.</summary>
    public Task WhenAllEnded()
    {
        lock (_serving)
        {
            return Task.WhenAll([Loop, .. _serving]);
        }
    }

    private async Task AcceptAsync(IMessageListener listener, Func<PeerConnection, Task> serve, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            IMessageChannel channel;
            try
            {
                channel = await listener.AcceptAsync(stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or CommClosedException)
            {
                return;
            }

            var peer = new PeerConnection(channel);
            Task serving = Task.Run(() => serve(peer), CancellationToken.None);
            lock (_serving)
            {
                _serving.Add(serving);
            }

            _ = serving.ContinueWith(
                (t, s) =>
                {
                    var set = (HashSet<Task>)s!;
                    lock (set)
                    {
                        set.Remove(t);
                    }
                },
                _serving,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }
}
