import { mount } from 'svelte';
import TrackPage from './TrackPage.svelte';
import './track.css';

mount(TrackPage, { target: document.getElementById('track')! });
