namespace Tessera.Scheduling;

/// <summary>
/// A task result whose memory can be reused once nothing holds it (an array block's buffer). A local
/// scheduler calls <see cref="Recycle"/> when it drops its last reference to such a result and the
/// graph shows that nothing else can hold it: the task that made it declares fresh memory, it is not
/// an output, every task that read it declares that it keeps nothing of it
/// (<see cref="Graphs.ArgumentUse.Released"/>, possibly through views inside the same task), and no
/// scheduler callback saw it.
/// </summary>
internal interface IRecyclable
{
    /// <summary>Hands the value's memory back for reuse; the value must not be read afterwards.</summary>
    void Recycle();
}
